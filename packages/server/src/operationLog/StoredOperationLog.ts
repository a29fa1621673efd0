import type { Logger } from '../logger';
import type { OperationBatch, OperationStore, StoredMessage } from '../store/OperationStore';
import { newOperationId } from '../store/operationIds';
import { DEFAULT_ENTRY_LIMITS, type EntryLimits } from './entryLimits';
import type { MessageLevel, OperationFields, OperationRecord, OperationStart } from './Operation';
import type { OperationHandle, OperationLog } from './OperationLog';
import { OperationState, type OperationHooks, type Redactor } from './OperationState';

/** Options of a StoredOperationLog; every default is given here. */
export interface StoredOperationLogOptions {
  /** Where batches go. */
  readonly store: Pick<OperationStore, 'write'>;
  /**
   * Makes the redactor of one operation from its `secrets` (the worker passes the action logs' redactor, which
   * replaces secret-named fields and scrubs the secrets' values from text).
   */
  readonly redactor: (secrets: unknown) => Redactor;
  /** How long an entry may wait before its batch is written. Default: 200 ms */
  readonly flushIntervalMs?: number;
  /** Entries (operations and messages) that make a batch worth writing at once. Default: 500 */
  readonly batchSize?: number;
  /** Entries waiting to be written past which new ones are dropped (and counted). Default: 20000 */
  readonly maxBuffered?: number;
  /** Attempts at writing one batch before it is dropped (and counted). Default: 3 */
  readonly maxAttempts?: number;
  readonly limits?: Partial<EntryLimits>;
  /** Told when a batch could not be written. */
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** A message waiting for its batch; redacted and capped when the batch is made, off the caller's path. */
interface PendingMessage {
  readonly state: OperationState;
  readonly at: number;
  readonly level: MessageLevel;
  readonly text: string;
  readonly fields: OperationFields | undefined;
}

/**
 * The operations log written to the store (see OperationLog): every call returns at once. Operations and messages
 * wait in memory and are written in batches, one transaction each, every `flushIntervalMs` or as soon as
 * `batchSize` entries wait, by a timer, never by the caller. An operation that starts and ends within one batch is
 * written once. When `maxBuffered` entries wait (the store is slow or away), new operations and messages are dropped
 * and counted in `droppedCount`; the ends and fields of operations already accepted are always kept, so none stays
 * "running" for want of room. A batch the store refuses is tried again with the next one, up to `maxAttempts`.
 */
export class StoredOperationLog implements OperationLog {
  private readonly options: Required<Omit<StoredOperationLogOptions, 'logger' | 'limits'>>;
  private readonly limits: EntryLimits;
  private readonly logger: Logger | undefined;
  private readonly hooks: OperationHooks;
  private readonly listeners = new Set<(operation: OperationRecord) => void>();
  /** Operations changed since the last batch, by id, in the order they first changed. */
  private pending = new Map<string, OperationState>();
  private messages: PendingMessage[] = [];
  /** Operations accepted and not ended: ended as cancelled by stop(). */
  private readonly live = new Set<OperationState>();
  /** A batch the store refused, to write with the next one, and how often it was tried. */
  private retry: { batch: OperationBatch; attempts: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private stopped = false;
  private dropped = 0;

  constructor(options: StoredOperationLogOptions) {
    this.options = {
      flushIntervalMs: 200,
      batchSize: 500,
      maxBuffered: 20_000,
      maxAttempts: 3,
      now: Date.now,
      ...options,
    };
    this.limits = { ...DEFAULT_ENTRY_LIMITS, ...options.limits };
    this.logger = options.logger;
    // One object for every operation: a start allocates its state and nothing else.
    this.hooks = {
      redactor: this.options.redactor,
      plainRedactor: this.options.redactor(undefined),
      now: this.options.now,
      changed: (changed) => this.changed(changed),
      message: (changed, level, text, fields) => this.message(changed, level, text, fields),
      ended: (ended) => this.ended(ended),
    };
  }

  /** Operations and messages dropped because the buffer was full, the log stopped, or their batch failed for good. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Entries waiting to be written. */
  get bufferedCount(): number {
    return this.pending.size + this.messages.length + (this.retry ? countOf(this.retry.batch) : 0);
  }

  start(start: OperationStart): OperationHandle {
    const startedAt = start.startedAt ?? this.options.now();
    const recorded = !this.stopped && this.bufferedCount < this.options.maxBuffered;
    if (!recorded) this.dropped++;
    const state = new OperationState(newOperationId(startedAt), start, startedAt, recorded, this.limits, this.hooks);
    if (recorded) {
      this.live.add(state);
      this.changed(state);
    }
    return state;
  }

  onEnd(listener: (operation: OperationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes what waits now, and resolves once it is written (or failed). Never rejects. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.bufferedCount === 0) return;
    this.writing = this.writeBatch().finally(() => (this.writing = undefined));
    await this.writing;
    if (this.bufferedCount > 0) this.schedule(); // what came meanwhile, and a refused batch
  }

  /**
   * Ends the operations still running as cancelled, writes everything (as far as the store takes it), and stops:
   * later operations are dropped. Call it before the store closes.
   */
  async stop(): Promise<void> {
    for (const state of [...this.live]) {
      state.end('cancelled', { code: 'worker_stopped', message: 'The worker stopped before the operation ended' });
    }
    this.stopped = true;
    for (let round = 0; round <= this.options.maxAttempts && this.bufferedCount > 0; round++) await this.flush();
    if (this.bufferedCount > 0) {
      this.dropped += this.bufferedCount;
      this.pending.clear();
      this.messages = [];
      this.retry = undefined;
    }
  }

  private changed(state: OperationState): void {
    if (!state.recorded) return;
    this.pending.set(state.id, state);
    this.schedule();
  }

  private message(state: OperationState, level: MessageLevel, text: string, fields: OperationFields | undefined): void {
    if (!state.recorded || this.stopped || this.bufferedCount >= this.options.maxBuffered) {
      this.dropped++;
      return;
    }
    this.messages.push({ state, at: this.options.now(), level, text, fields });
    this.schedule();
  }

  private ended(state: OperationState): void {
    this.live.delete(state);
    this.changed(state);
    const record = state.record();
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.logger?.warn({ err: error }, 'an operations log listener threw; ignored');
      }
    }
  }

  /** A write soon: at once (off this call's path) when a batch is full, else within the flush interval. */
  private schedule(): void {
    if (this.stopped) return;
    const full = this.pending.size + this.messages.length >= this.options.batchSize;
    if (full && !this.writing) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.flush(), 0);
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    }
    this.timer.unref();
  }

  private async writeBatch(): Promise<void> {
    const tried = this.retry?.attempts ?? 0;
    const batch = this.takeBatch();
    try {
      await this.options.store.write(batch);
    } catch (error) {
      const attempts = tried + 1;
      if (attempts >= this.options.maxAttempts) {
        this.dropped += countOf(batch);
        this.retry = undefined;
        this.logger?.error({ err: error, entries: countOf(batch) }, 'operations log: a batch could not be written; dropped');
      } else {
        this.retry = { batch, attempts };
        this.logger?.warn({ err: error, attempts }, 'operations log: a batch could not be written; will retry');
      }
    }
  }

  /** What waits, as one batch (after a refused one, whose operations the new state of the same ones replaces). */
  private takeBatch(): OperationBatch {
    const operations = new Map((this.retry?.batch.operations ?? []).map((operation) => [operation.id, operation]));
    for (const state of this.pending.values()) operations.set(state.id, state.record());
    const messages: StoredMessage[] = [...(this.retry?.batch.messages ?? [])];
    for (const message of this.messages) {
      const kept = message.state.keptMessage(message.level, message.text, message.fields, message.at);
      if (kept) messages.push(kept);
    }
    this.pending = new Map();
    this.messages = [];
    this.retry = undefined;
    return { operations: [...operations.values()], messages };
  }
}

function countOf(batch: OperationBatch): number {
  return batch.operations.length + batch.messages.length;
}

export type { Redactor } from './OperationState';
