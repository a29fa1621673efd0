import type { OperationLog } from '../operationLog/OperationLog';

/** Action sandboxes of this worker: running a run, or kept warm for the next. */
export interface SandboxUse {
  readonly busy: number;
  readonly idle: number;
}

/** One queue as the broker reports it. `queue` is its role (requests, credentials, actions, …), not its name. */
export interface QueueDepth {
  readonly queue: string;
  readonly messages: number;
  readonly consumers: number;
}

/** The webhook outbox's pending deliveries. */
export interface WebhookBacklog {
  readonly pending: number;
  /** Epoch ms the oldest pending delivery was stored; null when none is pending. */
  readonly oldestCreatedAt: number | null;
}

/** Sync runs due and not started. */
export interface SyncLag {
  readonly due: number;
  /** Epoch ms the longest-waiting of them fell due; null when none is. */
  readonly oldestDueAt: number | null;
}

/** A PostgreSQL pool's connections. */
export interface StorePoolUse {
  readonly total: number;
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
  /** Most connections the pool opens. */
  readonly max: number;
}

/**
 * Where a worker's metrics read what they report, given by the Worker: the metrics room stands low and imports none
 * of the rooms these come from. Each part is optional: a process without a broker connection has no queues, an
 * API-only process no sandboxes in use, SQLite no pool.
 */
export interface MetricSources {
  /** Operations are counted as they end (OperationLog.onEnd); its droppedCount is reported too. */
  readonly log: OperationLog;
  readonly sandboxes?: () => SandboxUse;
  /** Called at scrape time (cached a few seconds by the caller's QueueProbe). */
  readonly queues?: () => Promise<readonly QueueDepth[]>;
  readonly webhookBacklog?: () => Promise<WebhookBacklog>;
  readonly syncLag?: (now: number) => Promise<SyncLag>;
  readonly storePool?: () => StorePoolUse | undefined;
}
