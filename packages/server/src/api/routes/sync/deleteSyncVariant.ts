import type { FastifyInstance } from 'fastify';
import { deleteSyncVariant } from '../../../syncs/deleteSyncVariant';
import type { ApiContext } from '../../ApiContext';
import { SYNC_VARIANT_SCHEMA, variantRequestOf, type SyncVariantRoute } from './syncVariantSchema';

/**
 * `DELETE /sync/:name/variant/:variant` with the body `{ provider_config_key, connection_id }` (node SDK 0.71
 * deleteSyncVariant): deletes the variant's schedule and records; `{ success: true }`. 400 invalid_request for `base`
 * or a bad name; 404 unknown_integration, connection_not_found, unknown_sync (no such sync, or no such variant).
 */
export function registerDeleteSyncVariant(app: FastifyInstance, context: ApiContext): void {
  app.delete<SyncVariantRoute>('/sync/:name/variant/:variant', { schema: SYNC_VARIANT_SCHEMA }, async (request) => {
    await deleteSyncVariant(context, variantRequestOf({ Params: request.params, Body: request.body }));
    return { success: true };
  });
}
