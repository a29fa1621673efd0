import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/** The body fields a BILL Connection is made of. */
const BILL_FIELDS = ['username', 'password', 'organization_id', 'dev_key'] as const;

/**
 * `POST /auth/bill/:providerConfigKey?connection_id=…|connect_session_token=…` `{ username, password, organization_id,
 * dev_key }`: frontend 0.71's `auth(key, id, { credentials: { username, password, organization_id, dev_key } })`
 * (contract B.4). A session is made at once (authModes/bill: nothing is stored when Bill refuses the sign-in);
 * public: authorised by its query, as /oauth/connect.
 */
export function registerPostBillAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/auth/bill/:providerConfigKey',
    { config: { public: true } },
    (request, reply) =>
      credentialAuth(context, request, reply, 'BILL', (body) => {
        const credentials: Record<string, unknown> = {};
        for (const field of BILL_FIELDS) if (body[field] !== undefined) credentials[field] = body[field];
        return credentials;
      }),
  );
}
