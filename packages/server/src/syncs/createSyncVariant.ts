import { WorkerError } from '../errors';
import { connectionNotFound } from '../errors';
import type { SyncSchedule } from '../store/SyncScheduleStore';
import type { SyncOpsContext } from './syncTargets';
import { syncVariantTarget, type SyncVariantRequest } from './syncVariantTarget';

/**
 * Makes a variant of a sync for one Connection: a schedule of its own, run like the base one (started when the sync
 * is `auto_start`, else paused until startSync or triggerSync; at the sync's frequency, due at once), with records
 * and a checkpoint of its own. The script tells variants apart by `variant`. Returns the new schedule.
 * @throws WorkerError `invalid_request` (a bad variant name, or `base`), `unknown_integration`, `unknown_sync`,
 *   `connection_not_found`, `sync_variant_exists`, `storage_error`
 */
export async function createSyncVariant(context: SyncOpsContext, request: SyncVariantRequest): Promise<SyncSchedule> {
  const { key, sync } = await syncVariantTarget(context, request);
  const schedules = context.store.syncSchedules;
  if (!(await schedules.create(key, sync.autoStart ? 'running' : 'paused'))) {
    // Nothing inserted: the variant was there already, or the Connection was deleted since it was looked up.
    if (await schedules.get(key)) {
      throw new WorkerError(
        'sync_variant_exists',
        `Sync '${key.sync}' of integration '${key.integration}' already has a variant '${key.variant}' for Connection '${request.userId}'`,
      );
    }
    throw connectionNotFound(key.integration, request.userId);
  }
  const schedule = await schedules.get(key);
  // Deleted between the two statements (the variant or its Connection): as if the creation came first.
  if (!schedule) throw connectionNotFound(key.integration, request.userId);
  return schedule;
}
