import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance } from 'fastify';
import { updateSyncFrequency } from '../../../syncs/updateSyncFrequency';
import type { ApiContext } from '../../ApiContext';

const schema = {
  body: {
    type: 'object',
    required: ['sync_name', 'provider_config_key', 'connection_id', 'frequency'],
    properties: {
      sync_name: { type: 'string', minLength: 1, maxLength: 255 },
      sync_variant: { type: 'string', minLength: 1, maxLength: 255 },
      provider_config_key: { type: 'string', minLength: 1, maxLength: 128 },
      connection_id: CONNECTION_ID_SCHEMA,
      frequency: { type: ['string', 'null'], maxLength: 100 },
    },
  },
} as const;

interface Request {
  Body: {
    sync_name: string;
    sync_variant?: string;
    provider_config_key: string;
    connection_id: string;
    frequency: string | null;
  };
}

/**
 * `PUT /sync/update-connection-frequency` `{ sync_name, sync_variant?, provider_config_key, connection_id, frequency }`:
 * the sync's frequency for that Connection (null: back to the sync's own); `{ frequency }`. Under 5 minutes is refused.
 */
export function registerPutSyncFrequency(app: FastifyInstance, context: ApiContext): void {
  app.put<Request>('/sync/update-connection-frequency', { schema }, async (request) => {
    const body = request.body;
    const frequency = await updateSyncFrequency(context, {
      integration: body.provider_config_key,
      sync: body.sync_name,
      ...(body.sync_variant !== undefined && { variant: body.sync_variant }),
      userId: body.connection_id,
      frequency: body.frequency,
    });
    return { frequency };
  });
}
