import { lateness, type ScheduleState, type SyncSchedule } from '../store/SyncScheduleStore';
import { describeFrequency } from './describeFrequency';
import type { SyncOpsContext } from './syncTargets';

/**
 * Lateness a schedule is allowed past one scheduler tick before it counts as behind: a claim waits for the tick, then
 * for a free slot in a worker (NANGO_MAX_CONCURRENT_SYNCS), and a busy worker takes a while to get to it.
 */
export const BEHIND_GRACE_MS = 60_000;

/** One entry of `GET /syncs`: one sync (variant) of one Connection. */
export interface SyncOverviewEntry {
  integration: string;
  connection_id: string;
  name: string;
  variant: string;
  /** As `GET /sync/status` says it (see ScheduleState). */
  status: ScheduleState;
  /** `every 30 minutes`: the schedule's own frequency, else the sync's; null when the sync is no longer declared. */
  frequency: string | null;
  /** When the last run started (ISO 8601); null before any. */
  last_run_at: string | null;
  /** When the next run is due; null while paused (and not triggered). */
  next_run_at: string | null;
  /** Seconds past its due time (see lateness): 0 when on time. */
  behind_seconds: number;
  /** The last run's error (`<type>: <description>`) when it failed, else null. */
  last_error: string | null;
  /** Live (not deleted) records of the sync's models for this Connection; null when the sync is no longer declared. */
  record_count: number | null;
}

/** What `GET /syncs` filters by. */
export interface SyncOverviewQuery {
  readonly integration?: string | undefined;
  readonly userId?: string | undefined;
  readonly state?: ScheduleState | undefined;
  readonly behindSchedule?: boolean | undefined;
  readonly limit: number;
  readonly page: number;
}

/**
 * One page of every sync schedule across Connections (the store filters, orders and pages them), each with its
 * state, lateness and record count. `behindSchedule: true` keeps those behind (see isBehind, with one scheduler tick,
 * `tickMs`, plus BEHIND_GRACE_MS allowed), false the others.
 * @throws WorkerError `storage_error`
 */
export async function syncOverview(
  context: SyncOpsContext,
  query: SyncOverviewQuery,
  tickMs: number,
  now = Date.now(),
): Promise<SyncOverviewEntry[]> {
  const allowedMs = tickMs + BEHIND_GRACE_MS;
  const schedules = await context.store.syncSchedules.listAcross(
    {
      integration: query.integration,
      userId: query.userId,
      state: query.state,
      behind: query.behindSchedule === undefined ? undefined : { allowedMs, is: query.behindSchedule },
    },
    { limit: query.limit, offset: query.page * query.limit },
    now,
  );
  const integrations = context.operations.integrations().integrations;
  const entries: SyncOverviewEntry[] = [];
  for (const schedule of schedules) {
    const sync = integrations.get(schedule.integration)?.syncs.get(schedule.sync);
    let recordCount: number | null = null;
    if (sync) {
      recordCount = 0;
      for (const model of sync.models.keys()) {
        const counts = await context.store.records.count({ connection: schedule.connection, model, variant: schedule.variant });
        recordCount += counts.total - counts.deleted;
      }
    }
    entries.push(entry(schedule, sync ? sync.frequencyMs : null, recordCount, now));
  }
  return entries;
}

function entry(schedule: SyncSchedule, defaultMs: number | null, recordCount: number | null, now: number): SyncOverviewEntry {
  const last = schedule.lastRun;
  const frequencyMs = schedule.frequencyMs ?? defaultMs;
  const paused = schedule.status === 'paused';
  return {
    integration: schedule.integration,
    connection_id: schedule.userId,
    name: schedule.sync,
    variant: schedule.variant,
    status: stateOf(schedule, now),
    frequency: frequencyMs === null ? null : describeFrequency(frequencyMs),
    last_run_at: last === null ? null : new Date(last.startedAt).toISOString(),
    next_run_at: paused && !schedule.triggered ? null : new Date(schedule.nextRunAt).toISOString(),
    behind_seconds: Math.floor(lateness(schedule, now) / 1000),
    last_error: last?.outcome === 'failure' && last.error ? `${last.error.type}: ${last.error.description}` : null,
    record_count: recordCount,
  };
}

/** The state of a schedule at `now`, as the store's state filter judges it. */
function stateOf(schedule: SyncSchedule, now: number): ScheduleState {
  if (schedule.runStarted && (schedule.leaseUntil ?? 0) > now) return 'RUNNING';
  if (schedule.status === 'paused') return 'PAUSED';
  if (schedule.lastRun?.outcome === 'success') return 'SUCCESS';
  if (schedule.lastRun?.outcome === 'failure') return 'ERROR';
  return 'STOPPED';
}
