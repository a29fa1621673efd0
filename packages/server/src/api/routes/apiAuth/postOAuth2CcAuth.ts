import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth } from './credentialAuth';

/** The body fields an OAUTH2_CC Connection is made of: the user's own client, when the integration's is not used. */
const CLIENT_FIELDS = ['client_id', 'client_secret', 'client_private_key', 'client_certificate'] as const;

/**
 * `POST /oauth2/auth/:providerConfigKey?connection_id=…|connect_session_token=…&params[…]` `{ client_id, client_secret
 * | client_private_key, client_certificate? }`: frontend 0.71's `auth(key, id, { credentials: { client_id,
 * client_secret } })` (contract B.4). The token is fetched at once (authModes/oauth2ClientCredentials: nothing is
 * stored when the provider refuses the client); public: authorised by its query, as /oauth/connect.
 */
export function registerPostOAuth2CcAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/oauth2/auth/:providerConfigKey',
    { config: { public: true } },
    (request, reply) => credentialAuth(context, request, reply, 'OAUTH2_CC', clientCredentialsOf),
  );
}

/** The client fields of the body, only those. */
function clientCredentialsOf(body: Record<string, unknown>): Record<string, unknown> {
  const credentials: Record<string, unknown> = {};
  for (const field of CLIENT_FIELDS) if (body[field] !== undefined) credentials[field] = body[field];
  return credentials;
}
