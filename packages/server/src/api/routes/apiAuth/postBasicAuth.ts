import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/**
 * `POST /api-auth/basic/:providerConfigKey?connection_id=…|connect_session_token=…` `{ username, password }`:
 * frontend 0.71's `auth(key, id, { credentials: { username, password } })` (contract B.4). Public: authorised by
 * its query, as /oauth/connect.
 */
export function registerPostBasicAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/api-auth/basic/:providerConfigKey',
    { config: { public: true } },
    (request, reply) =>
      credentialAuth(context, request, reply, 'USERNAME_PASSWORD', (body) => ({
        username: body['username'],
        password: body['password'],
      })),
  );
}
