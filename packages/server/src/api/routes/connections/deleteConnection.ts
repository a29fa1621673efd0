import type { FastifyInstance } from 'fastify';
import { deleteConnection } from '../../../operations/deleteConnection';
import type { ApiContext } from '../../ApiContext';
import { CONNECTION_PARAMS, KEY_QUERY } from './connectionObject';

/**
 * `DELETE /connections/:connectionId?provider_config_key=…` (node SDK 0.71 deleteConnection): `{ success: true }`, or
 * 404 connection_not_found. Revokes the token at the provider when the catalog names a revocation URL (a failed
 * revocation is logged and does not block the delete): the same operation as the deleteConnection message.
 */
export function registerDeleteConnection(app: FastifyInstance, context: ApiContext): void {
  app.delete<{ Params: { connectionId: string }; Querystring: { provider_config_key: string } }>(
    '/connections/:connectionId',
    { schema: { params: CONNECTION_PARAMS, querystring: KEY_QUERY } },
    async (request) => {
      await deleteConnection(context.operations, {
        type: 'deleteConnection',
        integration: request.query.provider_config_key,
        userId: request.params.connectionId,
      });
      return { success: true };
    },
  );
}
