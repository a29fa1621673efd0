import { operationIdFloor } from '../../../store/operationIds';
import type { OperationFilter, OperationStore, StoredOperation } from '../../../store/OperationStore';

/** How the tail polls; every default is given here. */
export interface TailOptions {
  /** Time between two looks at the store. Default: 500 ms */
  readonly pollMs?: number;
  /**
   * How far back each look reaches: an operation written this long after it started (by another process, or by a
   * writer that was behind) is still sent. Default: 5000 ms
   */
  readonly lagMs?: number;
  /** Running operations followed to their end; past it the oldest are let go. Default: 1000 */
  readonly maxFollowed?: number;
  readonly now?: () => number;
}

/** Operations read per query, and the most one look sends. */
const PAGE = 500;
const MAX_PER_LOOK = 5_000;

/**
 * A live tail of the operations log, built on the store alone so that it works on a cluster: every API process sees
 * what any process wrote. Every `pollMs` it reads the operations matching the filter that started in the last
 * `lagMs` (and not before the tail's start), sends those it has not sent, and re-reads the running ones it sent to
 * send them again once they end. So each operation is sent when it first appears and again when its status changes.
 */
export class OperationTail {
  private readonly options: Required<TailOptions>;
  /** Operations sent, by id, with the status they were sent with; forgotten once past the look-back window. */
  private readonly sent = new Map<string, { status: string; startedAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private looking: Promise<void> | undefined;
  private stopped = false;
  private readonly startFloor: number;

  constructor(
    private readonly store: Pick<OperationStore, 'listAfter' | 'getMany'>,
    private readonly filter: OperationFilter,
    private readonly send: (operation: StoredOperation) => void,
    private readonly failed: (error: unknown) => void,
    options: TailOptions = {},
  ) {
    this.options = { pollMs: 500, lagMs: 5_000, maxFollowed: 1_000, now: Date.now, ...options };
    this.startFloor = filter.from ?? this.options.now();
  }

  /** Starts looking: once now, then every `pollMs`. */
  start(): void {
    this.plan(0);
  }

  /** Stops; resolves once a look in progress is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.looking;
  }

  /** One look: what is new in the window, and what changed of the running operations sent before it. */
  async look(): Promise<void> {
    const now = this.options.now();
    let after = operationIdFloor(Math.max(this.startFloor, now - this.options.lagMs));
    const rest = { ...this.filter, from: undefined }; // the window replaces `from`; `to` still ends the tail
    for (let read = 0; read < MAX_PER_LOOK && !this.stopped; read += PAGE) {
      const page = await this.store.listAfter(rest, after, PAGE);
      for (const operation of page) this.offer(operation);
      if (page.length < PAGE) break;
      after = (page.at(-1) as StoredOperation).id;
    }
    const horizon = now - this.options.lagMs;
    const followed = [...this.sent].filter(([, sent]) => sent.status === 'running' && sent.startedAt < horizon);
    for (const changed of await this.store.getMany(followed.slice(-this.options.maxFollowed).map(([id]) => id))) {
      this.offer(changed);
    }
    // What is past the window and no longer running will not change again.
    for (const [id, sent] of this.sent) {
      if (sent.startedAt < horizon && sent.status !== 'running') this.sent.delete(id);
    }
    const overflow = followed.length - this.options.maxFollowed;
    for (const [id] of overflow > 0 ? followed.slice(0, overflow) : []) this.sent.delete(id);
  }

  private offer(operation: StoredOperation): void {
    if (this.stopped || this.sent.get(operation.id)?.status === operation.status) return;
    this.sent.set(operation.id, { status: operation.status, startedAt: operation.startedAt });
    // A followed operation is read by id: it may have left the statuses asked for.
    if (this.filter.statuses === undefined || this.filter.statuses.includes(operation.status)) this.send(operation);
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.looking = this.look()
        .catch((error: unknown) => this.failed(error))
        .finally(() => {
          this.looking = undefined;
          this.plan(this.options.pollMs);
        });
    }, delayMs);
  }
}
