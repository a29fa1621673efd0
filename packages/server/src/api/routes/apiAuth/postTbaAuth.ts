import type { FastifyInstance } from 'fastify';
import { TBA_ACCOUNT_FIELD } from '../../../authModes/tba';
import type { IntegrationConfig } from '../../../config/types';
import { OAuthFlowError } from '../../../oauth/flow/OAuthFlowError';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth, type CredentialAuthOptions } from './credentialAuth';

/** The body fields a TBA Connection is made of: the user's token, and optionally its own consumer key and secret. */
const TBA_FIELDS = ['token_id', 'token_secret', 'oauth_client_id_override', 'oauth_client_secret_override'] as const;

/**
 * `POST /auth/tba/:providerConfigKey?connection_id=…|connect_session_token=…&params[accountId]=…` `{ token_id,
 * token_secret, oauth_client_id_override?, oauth_client_secret_override? }`: frontend 0.71's `auth(key, id, {
 * credentials: { token_id, token_secret }, params: { accountId } })` (contract B.4). Public: authorised by its query.
 */
export function registerPostTbaAuth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/auth/tba/:providerConfigKey',
    { config: { public: true } },
    (request, reply) => credentialAuth(context, request, reply, 'TBA', tbaCredentialsOf, TBA_OPTIONS),
  );
}

/** The credentials of a TBA request's body (or query, in the popup's case): only the fields TBA takes. */
export function tbaCredentialsOf(body: Record<string, unknown>): Record<string, unknown> {
  const credentials: Record<string, unknown> = {};
  for (const field of TBA_FIELDS) if (body[field] !== undefined) credentials[field] = body[field];
  return credentials;
}

/**
 * Refuses, before anything is stored, a TBA Connection that could sign no request: without the account id the realm
 * is made of, or without a consumer key and secret (the integration's or its own).
 */
export const TBA_OPTIONS: CredentialAuthOptions = {
  config(integration: IntegrationConfig, body, params) {
    if (!params[TBA_ACCOUNT_FIELD]) {
      throw new OAuthFlowError(
        'url_param_err',
        `params[${TBA_ACCOUNT_FIELD}] is required: the NetSuite account id (e.g. 123456 or 123456-sb1) requests are signed for`,
      );
    }
    const own = (field: string) => typeof body[field] === 'string' && body[field] !== '';
    const hasKey = own('oauth_client_id_override') || Boolean(integration.oauth?.clientId);
    const hasSecret = own('oauth_client_secret_override') || Boolean(integration.oauth?.clientSecret);
    if (!hasKey || !hasSecret) {
      throw new OAuthFlowError(
        'provider_config_err',
        `Integration '${integration.name}' has no consumer key and secret to sign with: set its OAuth client (the NetSuite integration record's consumer key and secret)`,
      );
    }
    return {};
  },
};
