import { WorkerError } from '../errors';
import type { SyncOpsContext } from './syncTargets';
import { syncVariantTarget, type SyncVariantRequest } from './syncVariantTarget';

/**
 * Deletes a variant of a sync for one Connection: its schedule (with its checkpoint and last result), then its
 * records of every model the sync declares. A run of it in flight loses its lease within a third of
 * NANGO_SYNC_LEASE_MS and stops, its outcome dropped; records it saves before it notices stay behind (making and
 * deleting the variant again clears them): delete a variant while it is not running (syncStatus) to leave none.
 * @throws WorkerError `invalid_request` (a bad variant name, or `base`), `unknown_integration`, `unknown_sync` (also
 *   when the Connection has no such variant), `connection_not_found`, `storage_error`
 */
export async function deleteSyncVariant(context: SyncOpsContext, request: SyncVariantRequest): Promise<void> {
  const { key, sync } = await syncVariantTarget(context, request);
  if (!(await context.store.syncSchedules.delete(key))) {
    throw new WorkerError(
      'unknown_sync',
      `Sync '${key.sync}' of integration '${key.integration}' has no variant '${key.variant}' for Connection '${request.userId}'`,
    );
  }
  // The schedule goes first: no new run of the variant can start while its records are deleted.
  for (const model of sync.models.keys()) {
    await context.store.records.clear({ connection: key.connection, model, variant: key.variant });
  }
}
