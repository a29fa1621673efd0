import type { SyncSchedule } from '../store/SyncScheduleStore';
import type { ModelResult } from '../store/SyncScheduleStore';
import { describeFrequency } from './describeFrequency';
import { connectionsOf, selectSyncs, type SyncOpsContext, type SyncRef } from './syncTargets';

type Status = 'RUNNING' | 'SUCCESS' | 'ERROR' | 'PAUSED' | 'STOPPED';

/** One entry of `GET /sync/status` (contract C.3, the official SDK's `SyncStatus`). */
export interface SyncStatusEntry {
  id: string;
  type: 'INITIAL' | 'INCREMENTAL';
  name: string;
  variant: string;
  connection_id: string;
  status: Status;
  latestResult: Record<string, ModelResult>;
  frequency: string;
  finishedAt: string | null;
  nextScheduledSyncAt: string | null;
  latestExecutionStatus: Status | null;
  recordCount: Record<string, number>;
  checkpoint: Record<string, unknown> | null;
}

/**
 * The status of the selected syncs (all of the integration when none named; `name::variant` names a variant), for
 * one Connection or all. A sync never started for a Connection has no entry, except `auto_start` ones, scheduled
 * here if the scheduler's tick has not yet. `status` is RUNNING while a run goes, PAUSED, else how the last run
 * ended (SUCCESS, ERROR; STOPPED before any); `recordCount` counts live (not deleted) records per model.
 * @throws WorkerError `unknown_integration`, `unknown_sync`, `connection_not_found`, `storage_error`
 */
export async function syncStatus(
  context: SyncOpsContext,
  request: { integration: string; syncs: readonly SyncRef[]; userId?: string },
): Promise<SyncStatusEntry[]> {
  const { integration, syncs } = selectSyncs(context, request.integration, request.syncs);
  const connection =
    request.userId === undefined ? undefined : (await connectionsOf(context, integration.name, request.userId))[0];
  for (const { sync } of syncs) {
    if (sync.autoStart) await context.store.syncSchedules.createMissing(integration.name, sync.name);
  }
  const wanted = new Set(syncs.map(({ sync, variant }) => `${sync.name}::${variant}`));
  const names = [...new Set(syncs.map(({ sync }) => sync.name))];
  const schedules = await context.store.syncSchedules.list(integration.name, {
    syncs: names,
    ...(connection && { connection: connection.uuid }),
  });
  const entries: SyncStatusEntry[] = [];
  const now = Date.now();
  for (const schedule of schedules) {
    const sync = integration.syncs.get(schedule.sync);
    if (!sync || (request.syncs.length > 0 && !wanted.has(`${schedule.sync}::${schedule.variant}`))) continue;
    const recordCount: Record<string, number> = {};
    for (const model of sync.models.keys()) {
      const counts = await context.store.records.count({ connection: schedule.connection, model, variant: schedule.variant });
      recordCount[model] = counts.total - counts.deleted;
    }
    entries.push(entry(schedule, sync.syncType === 'full', sync.frequencyMs, recordCount, now));
  }
  return entries;
}

function entry(
  schedule: SyncSchedule,
  fullSync: boolean,
  defaultMs: number,
  recordCount: Record<string, number>,
  now: number,
): SyncStatusEntry {
  const running = schedule.runStarted && (schedule.leaseUntil ?? 0) > now;
  const last = schedule.lastRun;
  const lastStatus: Status | null = last === null ? null : last.outcome === 'success' ? 'SUCCESS' : 'ERROR';
  const paused = schedule.status === 'paused';
  return {
    id: schedule.id,
    type: fullSync || schedule.fullPending ? 'INITIAL' : 'INCREMENTAL',
    name: schedule.sync,
    variant: schedule.variant,
    connection_id: schedule.userId,
    status: running ? 'RUNNING' : paused ? 'PAUSED' : (lastStatus ?? 'STOPPED'),
    latestResult: last?.counts ?? {},
    frequency: describeFrequency(schedule.frequencyMs ?? defaultMs),
    finishedAt: last?.finishedAt == null ? null : new Date(last.finishedAt).toISOString(),
    nextScheduledSyncAt: paused && !schedule.triggered ? null : new Date(schedule.nextRunAt).toISOString(),
    latestExecutionStatus: running ? 'RUNNING' : lastStatus,
    recordCount,
    checkpoint: schedule.checkpoint,
  };
}
