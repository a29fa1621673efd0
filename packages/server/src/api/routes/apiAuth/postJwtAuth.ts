import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/**
 * `POST /auth/jwt/:providerConfigKey?connection_id=…|connect_session_token=…&params[…]=…` `{ type?: 'JWT',
 * <the catalog entry's credentials fields> }`: frontend 0.71's `auth(key, id, { credentials: { type: 'JWT', privateKey,
 * … } })` (contract B.4). A JWT is signed from them at once (nothing is stored when the key cannot sign, or when the
 * catalog's verification request refuses the token); public: authorised by its query, as /oauth/connect.
 */
export function registerPostJwtAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/auth/jwt/:providerConfigKey',
    { config: { public: true } },
    (request, reply) => credentialAuth(context, request, reply, 'JWT', jwtCredentialsOf),
  );
}

/** The body without its `type` (which names the mode, and is not a credential). */
function jwtCredentialsOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([field]) => field !== 'type'));
}
