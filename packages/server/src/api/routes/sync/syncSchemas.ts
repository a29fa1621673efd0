import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { SyncRef } from '../../../syncs/syncTargets';

/** `syncs` of the sync routes: names, or `{ name, variant }`. */
export const SYNCS_SCHEMA = {
  type: 'array',
  maxItems: 1000,
  items: {
    anyOf: [
      { type: 'string', minLength: 1, maxLength: 255 },
      {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 255 },
          variant: { type: 'string', minLength: 1, maxLength: 255 },
        },
      },
    ],
  },
} as const;

/** Body of /sync/start and /sync/pause (and the base of /sync/trigger). */
export const SYNC_SELECTION_BODY = {
  type: 'object',
  required: ['provider_config_key'],
  properties: {
    syncs: SYNCS_SCHEMA,
    provider_config_key: { type: 'string', minLength: 1, maxLength: 128 },
    connection_id: CONNECTION_ID_SCHEMA,
  },
} as const;

export interface SyncSelectionBody {
  syncs?: SyncRef[];
  provider_config_key: string;
  connection_id?: string;
}

/** The selection a body names, for the sync operations. */
export function selectionOf(body: SyncSelectionBody) {
  return {
    integration: body.provider_config_key,
    syncs: body.syncs ?? [],
    ...(body.connection_id !== undefined && { userId: body.connection_id }),
  };
}
