import type { ScheduleStatus } from '../store/SyncScheduleStore';
import { ensureSchedules, selectTargets, type SyncOpsContext, type SyncSelection } from './syncTargets';

/**
 * startSync (`running`) and pauseSync (`paused`): the selected syncs' schedules get that status (made where missing).
 * A started schedule that is due runs at the next tick; a paused one runs only when triggered. A run in flight
 * goes on to its end. Returns how many schedules it changed.
 * @throws WorkerError `unknown_integration`, `unknown_sync`, `connection_not_found`, `storage_error`
 */
export async function setSyncStatus(context: SyncOpsContext, selection: SyncSelection, status: ScheduleStatus): Promise<number> {
  const schedules = await ensureSchedules(context, await selectTargets(context, selection), status);
  return context.store.syncSchedules.setStatus(
    schedules.map((schedule) => schedule.id),
    status,
  );
}
