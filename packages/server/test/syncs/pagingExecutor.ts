import { startApiServer, type ApiServer } from '../helpers/apiServer';
import type { RecordStore } from '../../src/store/RecordStore';
import type { SyncExecutor, SyncJob, SyncRunHooks, SyncRunResult } from '../../src/syncs/SyncExecutor';
import type { SyncWebhookBody, WebhookBody, Webhooks } from '../../src/webhooks/Webhooks';

/** One item of the fake API; `stamp` is its logical modification time. */
export interface Item {
  id: string;
  title: string;
  stamp: number;
  deleted: boolean;
}

/**
 * A third-party API that pages through items: `GET /items?since=<stamp>&page=<n>` gives the items changed after
 * `since`, in stamp order, PAGE_SIZE a page, with `next_page` (null on the last).
 */
export class ItemsApi {
  readonly items = new Map<string, Item>();
  private clock = 0;
  server!: ApiServer;

  constructor(
    readonly pageSize = 50,
    private readonly delayMs = 0,
  ) {}

  async start(count: number): Promise<this> {
    for (let n = 0; n < count; n += 1) this.put(`item-${String(n).padStart(5, '0')}`, `title ${n}`);
    this.server = await startApiServer((request) => {
      const url = new URL(request.url, 'http://x');
      const since = Number(url.searchParams.get('since') ?? '0');
      const page = Number(url.searchParams.get('page') ?? '0');
      const changed = [...this.items.values()].filter((item) => item.stamp > since).sort((a, b) => a.stamp - b.stamp);
      const slice = changed.slice(page * this.pageSize, (page + 1) * this.pageSize);
      const more = changed.length > (page + 1) * this.pageSize;
      return { body: { items: slice, next_page: more ? page + 1 : null }, delayMs: this.delayMs };
    });
    return this;
  }

  /** Adds or changes an item (its stamp moves). */
  put(id: string, title: string): void {
    this.items.set(id, { id, title, stamp: ++this.clock, deleted: false });
  }

  delete(id: string): void {
    const item = this.items.get(id);
    if (item) this.items.set(id, { ...item, deleted: true, stamp: ++this.clock });
  }

  /** Requests for pages, as `since:page`. */
  pagesFetched(): string[] {
    return this.server.requests.map((request) => {
      const url = new URL(request.url, 'http://x');
      return `${url.searchParams.get('since') ?? '0'}:${url.searchParams.get('page') ?? '0'}`;
    });
  }
}

/** The checkpoint this executor saves: where the changes start (`since`) and the next page of this pass. */
interface Checkpoint {
  since: number;
  page: number;
  /** The largest stamp seen in this pass: the next pass's `since`. */
  high: number;
}

/**
 * A SyncExecutor for tests, standing in for the sandboxed one: pages through an ItemsApi, saves each page's items
 * as `Item` records, saves a checkpoint after each page, and records every run. It notes any two runs of the same
 * sync for the same Connection at once (`overlaps`), can be told to fail, and stops at its signal.
 */
export class PagingExecutor implements SyncExecutor {
  readonly jobs: SyncJob[] = [];
  overlaps = 0;
  /** Fails the next run with this message. */
  failNext: string | undefined;
  /** Runs hang until their signal stops them. */
  hang = false;
  /** Waits this long after each page (a run that takes time). */
  pageDelayMs = 0;
  private readonly active = new Set<string>();

  constructor(
    private readonly api: () => string,
    private readonly records: () => RecordStore,
  ) {}

  async run(job: SyncJob, hooks: SyncRunHooks): Promise<SyncRunResult> {
    const key = `${job.connection.uuid}/${job.sync}/${job.variant}`;
    if (this.active.has(key)) this.overlaps += 1;
    this.active.add(key);
    this.jobs.push(job);
    try {
      if (this.failNext !== undefined) {
        const message = this.failNext;
        this.failNext = undefined;
        throw Object.assign(new Error(message), { code: 'sync_failed' });
      }
      if (this.hang) {
        await new Promise((_resolve, reject) =>
          hooks.signal.addEventListener('abort', () => reject(hooks.signal.reason as Error)),
        );
      }
      return await this.pages(job, hooks);
    } finally {
      this.active.delete(key);
    }
  }

  private async pages(job: SyncJob, hooks: SyncRunHooks): Promise<SyncRunResult> {
    const scope = { connection: job.connection.uuid, model: 'Item', variant: job.variant };
    const result = { added: 0, updated: 0, deleted: 0 };
    const start = job.checkpoint as Partial<Checkpoint> | null;
    const since = start?.since ?? 0;
    let checkpoint: Checkpoint =
      start?.page !== undefined ? { since, page: start.page, high: start.high ?? since } : { since, page: 0, high: since };
    for (;;) {
      hooks.signal.throwIfAborted();
      const response = await fetch(`${this.api()}/items?since=${checkpoint.since}&page=${checkpoint.page}`, {
        signal: hooks.signal,
      });
      const body = (await response.json()) as { items: Item[]; next_page: number | null };
      const live = body.items.filter((item) => !item.deleted);
      const gone = body.items.filter((item) => item.deleted).map((item) => item.id);
      const saved = await this.records().save(
        scope,
        live.map((item) => ({ id: item.id, payload: { id: item.id, title: item.title } })),
        { runId: job.runId, encrypt: true },
      );
      result.added += saved.added;
      result.updated += saved.updated;
      if (gone.length > 0) result.deleted += await this.records().markDeleted(scope, gone, { runId: job.runId, encrypt: true });
      const high = Math.max(checkpoint.high, ...body.items.map((item) => item.stamp));
      checkpoint = body.next_page === null ? { since: high, page: 0, high } : { ...checkpoint, page: body.next_page, high };
      await hooks.saveCheckpoint(body.next_page === null ? { since: high } : { ...checkpoint });
      if (body.next_page === null) break;
      if (this.pageDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.pageDelayMs));
    }
    return { models: { Item: result }, checkpoint: { since: checkpoint.since } };
  }
}

/** A Webhooks that keeps what it is given. */
export class RecordingWebhooks implements Webhooks {
  readonly bodies: WebhookBody[] = [];

  async enqueue(body: WebhookBody): Promise<void> {
    this.bodies.push(body);
  }

  /** The sync webhooks so far. */
  syncs(): SyncWebhookBody[] {
    return this.bodies.filter((body): body is SyncWebhookBody => body.type === 'sync');
  }
}

/** integrations.yaml with one API-key integration `items` and its `items` sync of model `Item`. */
export function itemsYaml(options: { autoStart?: boolean; frequency?: string; timeoutMs?: number } = {}): string {
  return [
    'integrations:',
    '  items:',
    '    auth_mode: API_KEY',
    '    base_url: http://127.0.0.1:1',
    '    headers:',
    "      X-Key: '${api_key}'",
    '    syncs:',
    '      items:',
    `        frequency: ${options.frequency ?? 'every hour'}`,
    `        auto_start: ${options.autoStart ?? true}`,
    ...(options.timeoutMs === undefined ? [] : [`        timeout_ms: ${options.timeoutMs}`]),
    '        models:',
    '          Item:',
    '            type: object',
    '            required: [id]',
    '            properties:',
    '              id: { type: string }',
    '              title: { type: string }',
    '',
  ].join('\n');
}
