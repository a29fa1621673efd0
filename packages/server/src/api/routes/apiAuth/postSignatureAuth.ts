import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/**
 * `POST /auth/signature/:providerConfigKey?connection_id=…|connect_session_token=…` `{ type: 'SIGNATURE', username,
 * password }`: frontend 0.71's `auth(key, id, { credentials: { type: 'SIGNATURE', username, password } })` (contract
 * B.4). Tried at the catalog's verification request, each request signed afresh (authModes/signature); public:
 * authorised by its query, as /oauth/connect.
 */
export function registerPostSignatureAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/auth/signature/:providerConfigKey',
    { config: { public: true } },
    (request, reply) =>
      credentialAuth(context, request, reply, 'SIGNATURE', (body) => ({
        username: body['username'],
        password: body['password'],
      })),
  );
}
