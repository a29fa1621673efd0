import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { createSession, SESSION_BODY_PROPERTIES, sessionOf, type SessionBody } from './sessionWire';

const schema = {
  body: {
    type: 'object',
    required: ['connection_id', 'integration_id'],
    properties: {
      ...SESSION_BODY_PROPERTIES,
      connection_id: CONNECTION_ID_SCHEMA,
      integration_id: { type: 'string', minLength: 1, maxLength: 255 },
    },
  },
} as const;

interface Body extends SessionBody {
  connection_id: string;
  integration_id: string;
}

/**
 * `POST /connect/sessions/reconnect` (createReconnectSession, contract C.3; secret key): a session that
 * re-authorises one existing Connection, which keeps its id. 201 as POST /connect/sessions. Without `end_user` the
 * session carries the Connection's own. 400 connection_not_found when there is no such Connection.
 */
export function registerPostReconnectSession(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: Body }>('/connect/sessions/reconnect', { schema }, async (request, reply) => {
    const body = request.body;
    const { connection_id: connectionId, integration_id: integration } = body;
    const connections = context.operations.store;
    const attributes = await connections.attributes(integration, connectionId);
    if (!attributes) {
      return reply.code(400).send({
        error: {
          code: 'connection_not_found',
          message: `No Connection '${connectionId}' on integration '${integration}' to reconnect`,
        },
      });
    }
    const session = sessionOf(context, body, {
      allowedIntegrations: [integration],
      reconnect: { integration, connectionId },
      endUser: attributes.endUser,
    });
    return reply.code(201).send(await createSession(context, session));
  });
}
