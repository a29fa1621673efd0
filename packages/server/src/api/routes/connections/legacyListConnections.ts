import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance } from 'fastify';
import { listConnections } from '../../../operations/listConnections';
import type { ApiContext } from '../../ApiContext';

const schema = {
  querystring: {
    type: 'object',
    properties: { connectionId: CONNECTION_ID_SCHEMA },
  },
} as const;

interface Request {
  Querystring: { connectionId?: string };
}

/**
 * `GET /connection[?connectionId=…]`: `{ connections: [{ connection_id, provider, created }] }`, where `provider` is
 * the provider config key (contract C.1–C.2). Never credentials. The same operation as the listConnections message.
 */
export function registerLegacyListConnections(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/connection', { schema }, async (request) => {
    const { connectionId } = request.query;
    return listConnections(context.operations, {
      type: 'listConnections',
      ...(connectionId !== undefined && { userId: connectionId }),
    });
  });
}
