import type { AuthMode, GetTokenMessage, NangoToken } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import { freshConnection } from './freshConnection';
import type { OperationContext } from './OperationContext';

/**
 * The credentials to call the API with, per the integration's auth mode: OAUTH2 the access token (refreshed if
 * needed, or always with `forceRefresh`), API_KEY the key, OAUTH1 `{ oAuthToken, oAuthTokenSecret }`,
 * USERNAME_PASSWORD `{ username, password }`, any other mode its credential fields but `raw`.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, `invalid_credentials` (the stored credentials
 *   lack a field of the auth mode, which changed since they were stored), and the refresher's errors
 */
export async function getToken(context: OperationContext, message: GetTokenMessage): Promise<NangoToken> {
  const { integration, connection } = await freshConnection(context, message.integration, message.userId, message.forceRefresh);
  const field = (name: string): string => {
    const value = connection.credentials[name];
    if (typeof value === 'string' && value !== '') return value;
    // Names the field, never a value: these are secrets.
    throw new WorkerError(
      'invalid_credentials',
      `The credentials of user '${message.userId}' on integration '${integration.name}' have no ${name}, which its auth mode ${integration.authMode} needs; replace them with updateConnectionCredentials`,
    );
  };
  const tokenOf = TOKEN_OF[integration.authMode];
  if (tokenOf) return tokenOf(field);
  const fields: Record<string, unknown> = { ...connection.credentials };
  delete fields['raw'];
  return fields;
}

/**
 * How the token of the first auth modes is made from the stored credential fields; every other mode's is its
 * credential fields, as Nango's getToken answers for them.
 */
const TOKEN_OF: Readonly<Partial<Record<AuthMode, (field: (name: string) => string) => NangoToken>>> = {
  OAUTH2: (field) => field('access_token'),
  // MCP OAuth Connections hold OAuth 2 tokens: their token is the access token, as Nango answers for them.
  MCP_OAUTH2: (field) => field('access_token'),
  MCP_OAUTH2_GENERIC: (field) => field('access_token'),
  API_KEY: (field) => field('api_key'),
  OAUTH1: (field) => ({ oAuthToken: field('oauth_token'), oAuthTokenSecret: field('oauth_token_secret') }),
  USERNAME_PASSWORD: (field) => ({ username: field('username'), password: field('password') }),
};
