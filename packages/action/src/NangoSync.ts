import { ACTION_CONTEXT, type ActionContext, type SyncContext } from './context';
import { NangoAction } from './NangoAction';
import { paginate, type PaginateRequest } from './paginate';

/** A record a sync saves: an object with an `id` (a string, or a number stored as its string). */
export interface SyncRecord {
  id: string | number;
  [field: string]: unknown;
}

/**
 * Base class of a sync. Extend it, implement fetchData, and export the class from
 * `integrations/<integration>/<sync>.sync.ts`; integrations.yaml declares the sync with its models. fetchData pages
 * through the API and hands records to batchSave; saving a checkpoint as it goes lets an interrupted run (a worker
 * killed, a time limit) go on from there next time.
 *
 *   export default class Issues extends NangoSync<{ since: string }> {
 *     override async fetchData() {
 *       const since = (await this.getCheckpoint())?.since;
 *       for await (const page of this.paginate<Issue>({ endpoint: '/issues', params: { since } })) {
 *         await this.batchSave(page.map(toRecord), 'GithubIssue');
 *         await this.saveCheckpoint({ since: page[page.length - 1].updated_at });
 *       }
 *     }
 *   }
 *
 * @typeParam Checkpoint what saveCheckpoint stores (a JSON object)
 */
export abstract class NangoSync<Checkpoint extends Record<string, unknown> = Record<string, unknown>> extends NangoAction<
  void,
  void
> {
  /** Fetches the data and saves it with batchSave; what it returns is ignored. */
  abstract fetchData(): Promise<void>;

  /** @internal a sync run is an action run whose work is fetchData */
  override async executeAction(): Promise<void> {
    await this.fetchData();
  }

  /**
   * Saves records of `model` (declared for this sync in integrations.yaml): new ids are added, changed ones updated,
   * the same payload left alone. Each record must match the model's schema: if one does not, none of the batch is
   * saved and this throws, naming each bad record by id and field.
   */
  async batchSave<T extends SyncRecord>(records: readonly T[], model: string): Promise<boolean> {
    await this.sync.call('batchSave', { model, records: [...records] });
    return true;
  }

  /** Merges the given fields into records saved before (by id); ids not saved yet are added as they are. */
  async batchUpdate<T extends SyncRecord>(
    records: readonly Partial<T>[] & readonly { id: string | number }[],
    model: string,
  ): Promise<boolean> {
    await this.sync.call('batchUpdate', { model, records: [...records] });
    return true;
  }

  /** Marks records of `model` deleted (by id); they stay readable with `filter: 'deleted'`. */
  async batchDelete(records: readonly { id: string | number }[], model: string): Promise<boolean> {
    await this.sync.call('batchDelete', { model, records: records.map((record) => ({ id: record.id })) });
    return true;
  }

  /** The checkpoint saved last (by this run, or the one before), null when there is none. */
  async getCheckpoint(): Promise<Checkpoint | null> {
    return this.sync.checkpoint as Checkpoint | null;
  }

  /** Stores where the run has got to, at once: a run that stops later goes on from here next time. */
  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await this.sync.call('saveCheckpoint', { checkpoint });
    this.sync.checkpoint = JSON.parse(JSON.stringify(checkpoint)) as Record<string, unknown>;
  }

  /** When the last successful run started; undefined on a first run (or after a reset). */
  get lastSyncDate(): Date | undefined {
    const date = this.sync.lastSyncDate;
    return date === null ? undefined : new Date(date);
  }

  /**
   * Pages through a list endpoint, yielding each page's items, driven by the provider's `proxy.paginate` (cursor,
   * link or offset) merged with `request.paginate`.
   */
  paginate<T = unknown>(request: PaginateRequest): AsyncGenerator<T[], void, undefined> {
    const fetch = (
      endpoint: string,
      method: string,
      params: unknown,
      body: unknown,
      headers: Record<string, string> | undefined,
    ) => this.httpRequest(endpoint, method as 'GET', params as never, body, headers);
    return paginate<T>(fetch, request, this.sync.paginate);
  }

  private get sync(): SyncContext {
    const context = (this as { [ACTION_CONTEXT]?: ActionContext })[ACTION_CONTEXT];
    if (!context?.sync) throw new Error('NangoSync: batchSave and checkpoints exist only while the worker runs fetchData');
    return context.sync;
  }
}
