import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance } from 'fastify';
import { getConnection } from '../../../operations/getConnection';
import { requireIntegration } from '../../../operations/OperationContext';
import { recordReveal } from '../../../operations/recordReveal';
import type { ApiContext } from '../../ApiContext';
import { modernFields } from './connectionObject';
import { connectionReplyJson } from './connectionReply';

const schema = {
  params: {
    type: 'object',
    required: ['connectionId'],
    properties: { connectionId: CONNECTION_ID_SCHEMA },
  },
  querystring: {
    type: 'object',
    required: ['provider_config_key'],
    properties: {
      provider_config_key: { type: 'string', minLength: 1, maxLength: 128 },
      force_refresh: { type: 'boolean' },
      refresh_token: { type: 'boolean' },
    },
  },
} as const;

interface Request {
  Params: { connectionId: string };
  Querystring: { provider_config_key: string; force_refresh?: boolean; refresh_token?: boolean };
}

/**
 * `GET /connection/:connectionId?provider_config_key=…&force_refresh=…&refresh_token=…`: one Connection with fresh
 * credentials (refreshed first when due, or always with force_refresh). The refresh token is left out only when the
 * caller says `refresh_token=false`: spec 3's reply shows it, and node 0.9.0 (contract C.1) sends no flag, while
 * 0.17.6 (C.2) always sends one. The modern `/connections/:connectionId` withholds it by default (C.3.1). The same
 * operation as the getConnection message.
 */
export function registerLegacyGetConnection(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/connection/:connectionId', { schema }, async (request, reply) => {
    const { provider_config_key: integration, force_refresh: forceRefresh, refresh_token: refreshToken } = request.query;
    const connection = await getConnection(context.operations, {
      type: 'getConnection',
      integration,
      userId: request.params.connectionId,
      forceRefresh: forceRefresh === true,
      refreshToken: refreshToken !== false,
    });
    // The fields of contract C.3.1 too, as today's Nango answers on this path: old SDKs ignore what they do not read.
    const attributes = await context.store.connections.attributes(integration, request.params.connectionId);
    const { authMode } = requireIntegration(context.operations, integration);
    const json = connectionReplyJson(connection, authMode, modernFields(context.operations, connection, attributes));
    // Credentials shown in the dashboard: who saw them is recorded (never what they are).
    if (request.dashboardSession) {
      recordReveal(context.operations.log, {
        integration,
        userId: request.params.connectionId,
        endUserId: attributes?.endUser?.id,
        dashboardUser: request.dashboardSession.user,
        forceRefresh: forceRefresh === true,
      });
    }
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
