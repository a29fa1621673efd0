import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/**
 * `POST /api-auth/api-key/:providerConfigKey?connection_id=…|connect_session_token=…` `{ apiKey }`: frontend 0.71's
 * `auth(key, id, { credentials: { apiKey } })` (contract B.4). Public: authorised by its query, as /oauth/connect.
 */
export function registerPostApiKeyAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/api-auth/api-key/:providerConfigKey',
    { config: { public: true } },
    (request, reply) => credentialAuth(context, request, reply, 'API_KEY', (body) => ({ api_key: body['apiKey'] })),
  );
}
