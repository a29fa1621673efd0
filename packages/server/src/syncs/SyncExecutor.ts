import type { NangoConnection } from '@nangohq/protocol';
import type { OperationHandle } from '../operationLog/OperationLog';
import type { ModelResult } from '../store/SyncScheduleStore';

/**
 * The seam between the two halves of syncs: the scheduler (when a sync runs, for which Connection, with a lease so
 * that one run at a time goes, retries, status, the REST routes) and the executor (loads `<sync>.sync.ts`, runs it in
 * a sandbox with `batchSave`/`batchUpdate`/`batchDelete`, checkpoints and `paginate`, writes the RecordStore).
 */
export interface SyncExecutor {
  /**
   * Runs one sync run to its end. Records are written to the store as the script saves them (a run that dies
   * half-way has saved what it saved; its checkpoint says where the next run goes on from).
   * @throws WorkerError: `unknown_sync`, `sync_failed` (the script threw; message is its message), `sync_timeout`,
   *   `invalid_records` (a record failed its model's schema; message names the record id and field), `action_*`
   *   sandbox codes, `storage_error`, `http_*`
   */
  run(job: SyncJob, hooks: SyncRunHooks): Promise<SyncRunResult>;
}

/** What one run is. */
export interface SyncJob {
  /**
   * Unique per attempt. Records a run saves are marked with it; a full run that started from no checkpoint marks
   * the records it did not save as deleted (a resumed one does not: it cannot know what an earlier attempt saw).
   */
  readonly runId: string;
  readonly integration: string;
  readonly sync: string;
  /** `base` unless the sync has variants. */
  readonly variant: string;
  /** The Connection, credentials fresh (refreshed when due) as actions get it. */
  readonly connection: NangoConnection;
  /** The checkpoint the last run saved (null on a first run, or after a reset). */
  readonly checkpoint: Record<string, unknown> | null;
  /**
   * A full run: records it does not save are marked deleted at its end when the sync tracks deletes. The first
   * run of a sync, a reset, and every run of a `full` sync are full.
   */
  readonly full: boolean;
  /** When the last successful run started (ISO), as `nango.lastSyncDate`; null on a first run. */
  readonly lastSyncDate: string | null;
  /**
   * Set for a run of the sync's webhook handler (`onWebhook`) rather than its `exec`: the provider webhook's payload.
   * Such a run is never full (it marks nothing deleted).
   */
  readonly webhook?: { readonly payload: unknown } | undefined;
}

/** What the scheduler gives a run. */
export interface SyncRunHooks {
  /** Aborted when the run must stop: its time limit, its lease lost, the worker stopping. */
  readonly signal: AbortSignal;
  /**
   * The run's operation (the scheduler starts and ends it): the script's log lines become its messages, and its counts
   * are kept up to date as batches are saved, so a run that fails shows what it saved.
   */
  readonly operation?: OperationHandle;
  /** Stores the script's checkpoint at once (so a run that dies goes on from it next time); null clears it. */
  saveCheckpoint(checkpoint: Record<string, unknown> | null): Promise<void>;
}

/** What a run did. */
export interface SyncRunResult {
  /** Per model the sync declares, also when zero. */
  readonly models: Record<string, ModelResult>;
  /** The last checkpoint saved (null when none). */
  readonly checkpoint: Record<string, unknown> | null;
}
