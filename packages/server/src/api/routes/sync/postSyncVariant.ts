import type { FastifyInstance } from 'fastify';
import { createSyncVariant } from '../../../syncs/createSyncVariant';
import type { ApiContext } from '../../ApiContext';
import { SYNC_VARIANT_SCHEMA, variantRequestOf, type SyncVariantRoute } from './syncVariantSchema';

/**
 * `POST /sync/:name/variant/:variant` `{ provider_config_key, connection_id }` (node SDK 0.71 createSyncVariant):
 * a variant of the sync for that Connection, scheduled like the base one; `{ id, name, variant }` (`id` is the
 * schedule's, as syncStatus shows it). 400 invalid_request for `base` or a name that is not letters, digits, _ and -;
 * 404 unknown_integration, unknown_sync, connection_not_found; 409 sync_variant_exists.
 */
export function registerPostSyncVariant(app: FastifyInstance, context: ApiContext): void {
  app.post<SyncVariantRoute>('/sync/:name/variant/:variant', { schema: SYNC_VARIANT_SCHEMA }, async (request) => {
    const schedule = await createSyncVariant(context, variantRequestOf({ Params: request.params, Body: request.body }));
    return { id: schedule.id, name: schedule.sync, variant: schedule.variant };
  });
}
