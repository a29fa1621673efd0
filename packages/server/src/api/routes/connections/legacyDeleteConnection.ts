import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance } from 'fastify';
import { deleteConnection } from '../../../operations/deleteConnection';
import type { ApiContext } from '../../ApiContext';

const schema = {
  params: {
    type: 'object',
    required: ['connectionId'],
    properties: { connectionId: CONNECTION_ID_SCHEMA },
  },
  querystring: {
    type: 'object',
    required: ['provider_config_key'],
    properties: { provider_config_key: { type: 'string', minLength: 1, maxLength: 128 } },
  },
} as const;

interface Request {
  Params: { connectionId: string };
  Querystring: { provider_config_key: string };
}

/** `DELETE /connection/:connectionId?provider_config_key=…`: `{ success: true }`, or 404 connection_not_found. */
export function registerLegacyDeleteConnection(app: FastifyInstance, context: ApiContext): void {
  app.delete<Request>('/connection/:connectionId', { schema }, async (request) => {
    await deleteConnection(context.operations, {
      type: 'deleteConnection',
      integration: request.query.provider_config_key,
      userId: request.params.connectionId,
    });
    return { success: true };
  });
}
