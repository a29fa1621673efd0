import type { SyncVariantRequest } from '../../../syncs/syncVariantTarget';

/**
 * Params and body of `POST` and `DELETE /sync/:name/variant/:variant` (node SDK 0.71 createSyncVariant,
 * deleteSyncVariant). The variant's pattern is checked by the operation, whose message says what a name may hold.
 */
export const SYNC_VARIANT_SCHEMA = {
  params: {
    type: 'object',
    required: ['name', 'variant'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 255 },
      variant: { type: 'string', minLength: 1, maxLength: 255 },
    },
  },
  body: {
    type: 'object',
    required: ['provider_config_key', 'connection_id'],
    properties: {
      provider_config_key: { type: 'string', minLength: 1, maxLength: 128 },
      connection_id: { type: 'string', minLength: 1, maxLength: 255 },
    },
  },
} as const;

/** The request types of both routes. */
export interface SyncVariantRoute {
  Params: { name: string; variant: string };
  Body: { provider_config_key: string; connection_id: string };
}

/** The operation's request, from the route's params and body. */
export function variantRequestOf(request: SyncVariantRoute): SyncVariantRequest {
  return {
    integration: request.Body.provider_config_key,
    sync: request.Params.name,
    variant: request.Params.variant,
    userId: request.Body.connection_id,
  };
}
