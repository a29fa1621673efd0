import type { SyncConfig } from '../config/types';
import { WorkerError } from '../errors';
import type { ScheduleKey } from '../store/SyncScheduleStore';
import { BASE_VARIANT, connectionsOf, selectSyncs, type SyncOpsContext } from './syncTargets';

/**
 * What a variant may be called: letters, digits, `_` and `-`. Nothing else, so `name::variant` (how syncStatus and
 * the records routes address a variant) and the comma lists of syncStatus stay unambiguous.
 */
export const VARIANT_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** The variant of a sync for one Connection, as createSyncVariant and deleteSyncVariant name it. */
export interface SyncVariantRequest {
  readonly integration: string;
  readonly sync: string;
  readonly variant: string;
  /** The Connection's user id. */
  readonly userId: string;
}

/**
 * The schedule key a variant request names, and its sync's declaration. The name is checked first, then the
 * integration, the sync and the Connection, so each error names the first thing wrong.
 * @throws WorkerError `invalid_request` (a bad variant name, or `base`), `unknown_integration`, `unknown_sync`,
 *   `connection_not_found`
 */
export async function syncVariantTarget(
  context: SyncOpsContext,
  request: SyncVariantRequest,
): Promise<{ key: ScheduleKey; sync: SyncConfig }> {
  const { variant } = request;
  if (variant === BASE_VARIANT) {
    throw new WorkerError(
      'invalid_request',
      `variant: '${BASE_VARIANT}' is the variant every sync has; name a variant of your own (letters, digits, _ and -)`,
    );
  }
  if (!VARIANT_NAME.test(variant)) {
    throw new WorkerError('invalid_request', 'variant: a variant name is 1 to 255 letters, digits, _ or -');
  }
  const { integration, syncs } = selectSyncs(context, request.integration, [request.sync]);
  const sync = syncs[0]?.sync;
  if (!sync) throw new WorkerError('internal_error', 'no sync selected');
  const [connection] = await connectionsOf(context, integration.name, request.userId);
  if (!connection) throw new WorkerError('internal_error', 'no Connection selected');
  return { key: { integration: integration.name, sync: sync.name, variant, connection: connection.uuid }, sync };
}
