import type { FastifyInstance } from 'fastify';
import { getConnection } from '../../../operations/getConnection';
import { requireIntegration } from '../../../operations/OperationContext';
import { recordReveal } from '../../../operations/recordReveal';
import type { ApiContext } from '../../ApiContext';
import { CONNECTION_PARAMS, modernFields, PROVIDER_CONFIG_KEY } from './connectionObject';
import { connectionReplyJson } from './connectionReply';

const schema = {
  params: CONNECTION_PARAMS,
  // Other keys are accepted and ignored: SDKs add flags over time (refresh_github_app_jwt_token, contract C.3.3).
  querystring: {
    type: 'object',
    required: ['provider_config_key'],
    properties: {
      provider_config_key: PROVIDER_CONFIG_KEY,
      force_refresh: { type: 'boolean' },
      refresh_token: { type: 'boolean' },
      refresh_github_app_jwt_token: { type: 'boolean' },
    },
  },
} as const;

interface Request {
  Params: { connectionId: string };
  Querystring: { provider_config_key: string; force_refresh?: boolean; refresh_token?: boolean };
}

/**
 * `GET /connections/:connectionId?provider_config_key=…&force_refresh=…&refresh_token=…` (node SDK 0.71 getConnection,
 * getToken, getRawTokenResponse, getMetadata): the connection object of contract C.3.1, credentials refreshed first
 * when due (or always with force_refresh=true), the refresh token left out unless refresh_token=true. The same
 * operation as `GET /connection/:connectionId` and the getConnection message.
 */
export function registerGetConnection(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/connections/:connectionId', { schema }, async (request, reply) => {
    const { provider_config_key: integration, force_refresh: forceRefresh, refresh_token: refreshToken } = request.query;
    const userId = request.params.connectionId;
    const connection = await getConnection(context.operations, {
      type: 'getConnection',
      integration,
      userId,
      forceRefresh: forceRefresh === true,
      refreshToken: refreshToken === true,
    });
    const attributes = await context.store.connections.attributes(integration, userId);
    const { authMode } = requireIntegration(context.operations, integration);
    const json = connectionReplyJson(connection, authMode, modernFields(context.operations, connection, attributes));
    // Credentials shown in the dashboard: who saw them is recorded (never what they are).
    if (request.dashboardSession) {
      recordReveal(context.operations.log, {
        integration,
        userId: userId,
        endUserId: attributes?.endUser?.id,
        dashboardUser: request.dashboardSession.user,
        forceRefresh: forceRefresh === true,
      });
    }
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
