import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/** Body fields that are not credentials: the shape's tag, and the assertion options of entries this server does not run. */
const NOT_CREDENTIALS = new Set(['type', 'assertionOption']);

/**
 * `POST /auth/two-step/:providerConfigKey?connection_id=…|connect_session_token=…&params[…]=…` `{ type: 'TWO_STEP',
 * <the fields the catalog entry's credentials describe> }`: frontend 0.71's `auth(key, id, { credentials: { type:
 * 'TWO_STEP', … } })` (contract B.4). The token is fetched at once (nothing is stored when the provider refuses);
 * public: authorised by its query, as /oauth/connect.
 */
export function registerPostTwoStepAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/auth/two-step/:providerConfigKey',
    { config: { public: true } },
    (request, reply) => credentialAuth(context, request, reply, 'TWO_STEP', twoStepCredentialsOf),
  );
}

/** The credentials of a TWO_STEP request's body: every field but the shape's tag. */
export function twoStepCredentialsOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([field]) => !NOT_CREDENTIALS.has(field)));
}
