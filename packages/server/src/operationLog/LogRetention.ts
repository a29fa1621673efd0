import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { OperationStore } from '../store/OperationStore';

/** Options of LogRetention; every default is given here. */
export interface LogRetentionOptions {
  readonly store: Pick<OperationStore, 'claimPruning' | 'pruneCutoff' | 'prune'>;
  /** Operations older than this go (NANGO_LOGS_RETENTION_DAYS); undefined: no limit by age. */
  readonly maxAgeMs: number | undefined;
  /** Past this many operations the oldest go (NANGO_LOGS_MAX_OPERATIONS); undefined: no limit by count. */
  readonly maxOperations: number | undefined;
  /** Time between two pruning rounds. Default: 60000 ms */
  readonly intervalMs?: number;
  /** Operations deleted per statement, each batch a short transaction of its own. Default: 1000 */
  readonly batchSize?: number;
  /** Pause between two batches, so writers of the log and of everything else get the database in between. Default: 50 ms */
  readonly pauseMs?: number;
  /** How long one process holds the pruning lease without renewing it (it renews it every batch). Default: 60000 ms */
  readonly leaseMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Keeps the operations log within its limits of age and count: every interval, the process that holds the pruning
 * lease (one at a time, whichever of the workers sharing the database) deletes what is past them, oldest first, in
 * small batches with a pause between, so no writer waits long. The work of a round is bounded by what is past the
 * limits; a round a stop interrupts resumes at the next start.
 */
export class LogRetention {
  private readonly options: Required<Omit<LogRetentionOptions, 'logger' | 'maxAgeMs' | 'maxOperations'>>;
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<number> | undefined;
  private stopping = false;

  constructor(private readonly settings: LogRetentionOptions) {
    this.options = { intervalMs: 60_000, batchSize: 1_000, pauseMs: 50, leaseMs: 60_000, now: Date.now, ...settings };
  }

  /** Starts pruning: a first round soon, then one every interval. */
  start(): void {
    if (this.settings.maxAgeMs === undefined && this.settings.maxOperations === undefined) return;
    this.stopping = false;
    this.plan(Math.min(5_000, this.options.intervalMs));
  }

  /** Stops: the round in progress ends after its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round?.catch(() => undefined);
  }

  /**
   * One round, if this process gets the lease: deletes what is past the limits, batch after batch. Returns how many
   * operations it deleted.
   * @throws WorkerError `storage_error`
   */
  async runOnce(): Promise<number> {
    const { store, maxAgeMs, maxOperations } = this.settings;
    const { batchSize, pauseMs, leaseMs, now } = this.options;
    if (!(await store.claimPruning(this.owner, now() + leaseMs, now()))) return 0;
    const before = maxAgeMs === undefined ? undefined : now() - maxAgeMs;
    const cutoff = await store.pruneCutoff({ before, keep: maxOperations });
    if (cutoff === undefined) return 0;
    let deleted = 0;
    while (!this.stopping) {
      const count = await store.prune(cutoff, batchSize);
      deleted += count;
      if (count < batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      // Another process may take over a lease that ran out during a long round: then this one stops.
      if (!(await store.claimPruning(this.owner, now() + leaseMs, now()))) break;
    }
    return deleted;
  }

  private plan(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce();
      this.round
        .then(
          (deleted) => {
            if (deleted > 0) this.settings.logger?.info({ deleted }, 'operations log: pruned operations past retention');
          },
          (error: unknown) => this.settings.logger?.warn({ err: error }, 'operations log: pruning failed; will retry'),
        )
        .finally(() => {
          this.round = undefined;
          this.plan(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
