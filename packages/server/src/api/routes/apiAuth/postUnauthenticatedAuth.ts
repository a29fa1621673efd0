import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/**
 * `POST /auth/unauthenticated/:providerConfigKey?connection_id=…|connect_session_token=…&params[…]=…`, no body:
 * frontend 0.71's `create(key, id?, { params })` (contract B.4), a Connection of a NONE integration, holding its config
 * and no credentials. Public: authorised by its query, as /oauth/connect.
 */
export function registerPostUnauthenticatedAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/auth/unauthenticated/:providerConfigKey',
    { config: { public: true } },
    // Whatever a body holds is not kept: NONE refuses credentials, and this route takes none.
    (request, reply) => credentialAuth(context, request, reply, 'NONE', () => ({})),
  );
}
