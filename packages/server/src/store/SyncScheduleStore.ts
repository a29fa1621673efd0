/** Counts of one model in one run. */
export interface ModelResult {
  added: number;
  updated: number;
  deleted: number;
}

/**
 * When each sync runs for each Connection, and who runs it now. One row per (sync, variant, Connection): its status
 * (running or paused), an optional frequency of its own, the next run time, the lease of the run in flight, the
 * checkpoint the script saved, and the last run's outcome.
 *
 * A due run is claimed with one conditional update that also takes the lease (owner, run id, until), so two
 * schedulers, in any process, never both claim it; every later write of the run (heartbeat, checkpoint, outcome) is
 * conditional on its run id, so a run whose lease expired and was taken over writes nothing more. SQLite and
 * PostgreSQL implement it alike; a Connection's schedules go with it (a trigger on `connections`).
 */
export interface SyncScheduleStore {
  /**
   * Schedules `sync` for every Connection of `integration` that has no schedule of it yet (variant `base`), due at
   * once: one set-based insert, so Connections made through any door get it. With `createdSince` (an ISO time), only
   * Connections created since then are looked at (an index range, not every Connection). Returns how many it created.
   */
  createMissing(integration: string, sync: string, now?: number, createdSince?: string): Promise<number>;
  /** The schedule of one (sync, variant, Connection), created with `status` (due at once) if it has none yet. */
  ensure(key: ScheduleKey, status: ScheduleStatus, now?: number): Promise<SyncSchedule>;
  /**
   * Makes the schedule of one (sync, variant, Connection) with `status`, due at once. False when it exists already
   * or the Connection does not (createSyncVariant tells the two apart).
   */
  create(key: ScheduleKey, status: ScheduleStatus, now?: number): Promise<boolean>;
  /** Deletes one schedule (deleteSyncVariant); false when there was none. A run in flight loses its lease. */
  delete(key: ScheduleKey): Promise<boolean>;
  /** Deletes every schedule of a sync (all Connections, all variants): a deployment dropped it. Returns how many. */
  deleteSync(integration: string, sync: string): Promise<number>;
  /** One schedule, or undefined. */
  get(key: ScheduleKey): Promise<SyncSchedule | undefined>;
  /** The schedules of an integration, of one Connection (its uuid) if given, of some syncs if given; by user id, sync, variant. */
  list(integration: string, filter?: { connection?: string; syncs?: readonly string[] }): Promise<SyncSchedule[]>;
  /**
   * One page of the schedules of every Connection matching `filter` (GET /syncs), by integration, connection id,
   * sync and variant: filtered, ordered and paged in SQL.
   */
  listAcross(filter: ScheduleListFilter, page: { limit: number; offset: number }, now?: number): Promise<SyncSchedule[]>;
  /**
   * Claims up to `limit` due runs for `owner`: running (or triggered) schedules whose next run time has come and
   * whose lease is free or expired (a worker that died mid-run). Each claim gets a fresh run id and a lease until
   * `leaseUntil`. Atomic: a schedule is claimed by one caller only.
   */
  claimDue(owner: string, leaseUntil: number, limit: number, now?: number): Promise<ClaimedRun[]>;
  /**
   * Starts the claimed run `runId` (the one a run message names) in `owner`: extends its lease, consumes a pending
   * reset (the checkpoint is cleared and the run made full) and returns the schedule as the run starts from.
   * Undefined when the run is not the schedule's current one, its lease has expired, or it was started already (a
   * message delivered twice): a stale duplicate, to drop.
   */
  begin(id: string, runId: string, owner: string, leaseUntil: number, now?: number): Promise<StartedRun | undefined>;
  /** Extends the lease of run `runId` (the heartbeat); false when it is not the current run any more. */
  renew(id: string, runId: string, leaseUntil: number): Promise<boolean>;
  /** Stores the checkpoint of run `runId`; false when it is not the current run any more. */
  saveCheckpoint(id: string, runId: string, checkpoint: Record<string, unknown> | null): Promise<boolean>;
  /** Records the outcome of run `runId`, frees its lease and sets the next run time; false when it lost the run. */
  finish(id: string, runId: string, outcome: RunOutcome): Promise<boolean>;
  /** Frees the lease of run `runId` without an outcome (the worker stops): any worker resumes it at once. */
  release(id: string, runId: string): Promise<boolean>;
  /** Sets the status of schedules (start, pause). Returns how many it changed. */
  setStatus(ids: readonly string[], status: ScheduleStatus): Promise<number>;
  /** Makes schedules due now even when paused (trigger); with `reset`, the next run is full with no checkpoint. */
  trigger(ids: readonly string[], reset: boolean, now?: number): Promise<number>;
  /** Sets (or with null removes) a schedule's own frequency; the next run time moves to its last start + it. */
  setFrequency(id: string, frequencyMs: number | null, defaultMs: number): Promise<boolean>;
  /**
   * Runs due at `now` (running or triggered, next run time come) that no worker has started: waiting to be claimed,
   * claimed and waiting in the queue, or left by a worker whose lease expired. For metrics: how far syncs are behind.
   */
  lag(now?: number): Promise<SyncLag>;
}

/**
 * What a schedule shows as its state, as `GET /sync/status` words it: RUNNING while a started run holds a live lease,
 * else PAUSED, else how the last run ended (SUCCESS, ERROR), STOPPED before any.
 */
export type ScheduleState = 'RUNNING' | 'PAUSED' | 'SUCCESS' | 'ERROR' | 'STOPPED';
export const SCHEDULE_STATES: readonly ScheduleState[] = ['RUNNING', 'PAUSED', 'SUCCESS', 'ERROR', 'STOPPED'];

/** Filters of listAcross; every one given must match. */
export interface ScheduleListFilter {
  readonly integration?: string | undefined;
  /** The Connection's user id (`connection_id`), exactly. */
  readonly userId?: string | undefined;
  readonly state?: ScheduleState | undefined;
  /**
   * Only schedules behind (`is: true`, see isBehind) or only those not behind (`is: false`), judged with `allowedMs` of
   * lateness allowed: one scheduler tick plus a grace.
   */
  readonly behind?: { readonly allowedMs: number; readonly is: boolean } | undefined;
}

/**
 * Whether a schedule is behind at `now`, allowing `allowedMs` of lateness: the lease of its run ran out more than
 * `allowedMs` ago (its worker died and no scheduler took the run over), or, holding no lease, it should run (running,
 * or triggered) and its next run time is more than `allowedMs` in the past (no scheduler claimed it). The SQL of
 * listAcross says the same.
 */
export function isBehind(schedule: SyncSchedule, now: number, allowedMs: number): boolean {
  if (schedule.leaseUntil !== null) return schedule.leaseUntil < now - allowedMs;
  return (schedule.status === 'running' || schedule.triggered) && schedule.nextRunAt < now - allowedMs;
}

/**
 * How late a schedule is at `now`, in ms: since its lease ran out while one is held, else, when it should run, since
 * its next run time; 0 when on time.
 */
export function lateness(schedule: SyncSchedule, now: number): number {
  if (schedule.leaseUntil !== null) return Math.max(0, now - schedule.leaseUntil);
  if (schedule.status !== 'running' && !schedule.triggered) return 0;
  return Math.max(0, now - schedule.nextRunAt);
}

/** Sync runs due and not started. */
export interface SyncLag {
  readonly due: number;
  /** Epoch ms the longest-waiting of them fell due; null when none is. */
  readonly oldestDueAt: number | null;
}

export type ScheduleStatus = 'running' | 'paused';

/** Which schedule: a sync, its variant (`base` unless the sync has variants), and a Connection (its uuid). */
export interface ScheduleKey {
  readonly integration: string;
  readonly sync: string;
  readonly variant: string;
  readonly connection: string;
}

/** How the last run ended. */
export interface LastRun {
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly outcome: 'success' | 'failure' | null;
  readonly error: { type: string; description: string } | null;
  /** Per model, on success. */
  readonly counts: Record<string, ModelResult> | null;
}

/** A schedule as stored (epoch ms everywhere). */
export interface SyncSchedule extends ScheduleKey {
  /** Stable id of the schedule (the `id` of syncStatus). */
  readonly id: string;
  /** The Connection's user id (its `connection_id` on the wire). */
  readonly userId: string;
  readonly status: ScheduleStatus;
  /** Its own frequency, or null for the sync's. */
  readonly frequencyMs: number | null;
  readonly nextRunAt: number;
  /** The run in flight, when a lease is held (it may have expired). */
  readonly runId: string | null;
  /** A worker started the run (else it waits in the queue). */
  readonly runStarted: boolean;
  readonly leaseOwner: string | null;
  readonly leaseUntil: number | null;
  readonly checkpoint: Record<string, unknown> | null;
  /** The next run is full with no checkpoint (a reset is pending). */
  readonly resetPending: boolean;
  /** The next run is full: none succeeded yet, or a reset was consumed and its run has not succeeded. */
  readonly fullPending: boolean;
  /** A trigger came that no run has served yet. */
  readonly triggered: boolean;
  readonly lastRun: LastRun | null;
  /** When the last successful run started (`lastSyncDate`). */
  readonly lastSuccessStartedAt: number | null;
}

/** A run claimed by `claimDue`, to publish. */
export interface ClaimedRun {
  readonly id: string;
  readonly runId: string;
}

/** What `begin` hands the run. */
export interface StartedRun {
  readonly schedule: SyncSchedule;
  /** Triggers seen when the run began: a trigger that comes later makes the next run due at once. */
  readonly triggerSeq: number;
  readonly startedAt: number;
}

/** The end of a run. */
export interface RunOutcome {
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The schedule's frequency (its own or the sync's): the next run is at finishedAt + it, unless triggered meanwhile. */
  readonly frequencyMs: number;
  readonly triggerSeq: number;
  readonly success: boolean;
  readonly counts: Record<string, ModelResult> | null;
  readonly error: { type: string; description: string } | null;
  /** The checkpoint to keep (a `full` sync's successful run clears it). */
  readonly checkpoint: Record<string, unknown> | null;
}

/** A schedule row as both stores read it. */
export interface ScheduleRow {
  id: string;
  integration: string;
  sync: string;
  variant: string;
  connection: string;
  user_id: string;
  status: ScheduleStatus;
  frequency_ms: number | null;
  next_run_at: number;
  run_id: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  run_started: number;
  checkpoint: string | null;
  reset_pending: number;
  full_pending: number;
  trigger_seq: number;
  done_seq: number;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_outcome: 'success' | 'failure' | null;
  last_error: string | null;
  last_counts: string | null;
  last_success_started_at: number | null;
}

/** The columns read, joined with `connections c` for the user id. */
export const SCHEDULE_COLUMNS = `s.id, s.integration, s.sync, s.variant, s.connection, c.user_id, s.status, s.frequency_ms,
  s.next_run_at, s.run_id, s.lease_owner, s.lease_until, s.run_started, s.checkpoint, s.reset_pending, s.full_pending, s.trigger_seq,
  s.done_seq, s.last_started_at, s.last_finished_at, s.last_outcome, s.last_error, s.last_counts, s.last_success_started_at`;

/** A row as a SyncSchedule. */
export function scheduleFromRow(row: ScheduleRow): SyncSchedule {
  const lastRun: LastRun | null =
    row.last_started_at === null
      ? null
      : {
          startedAt: row.last_started_at,
          finishedAt: row.last_finished_at,
          outcome: row.last_outcome,
          error: row.last_error === null ? null : (JSON.parse(row.last_error) as LastRun['error']),
          counts: row.last_counts === null ? null : (JSON.parse(row.last_counts) as LastRun['counts']),
        };
  return {
    id: row.id,
    integration: row.integration,
    sync: row.sync,
    variant: row.variant,
    connection: row.connection,
    userId: row.user_id,
    status: row.status,
    frequencyMs: row.frequency_ms,
    nextRunAt: row.next_run_at,
    runId: row.run_id,
    runStarted: Boolean(row.run_started),
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    checkpoint: row.checkpoint === null ? null : (JSON.parse(row.checkpoint) as Record<string, unknown>),
    resetPending: Boolean(row.reset_pending),
    fullPending: Boolean(row.full_pending),
    triggered: row.trigger_seq > row.done_seq,
    lastRun,
    lastSuccessStartedAt: row.last_success_started_at,
  };
}

/** A claim token: unique per claim, so a retried run is told apart from the one it replaces. */
export function newRunId(): string {
  return crypto.randomUUID();
}
