import type { StoredCredentials } from '@nangohq/protocol';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';
import { installationGrant, installationToken, rest } from './githubApp';

/**
 * CUSTOM (a GitHub App with OAuth, catalog `github-app-oauth`): the user installs the app and authorises it in one
 * flow (api/oauth/githubAppOAuthFlow.ts); the Connection keeps, in the shape of Nango's CombinedOauth2AppCredentials,
 * `app` (the installation token, from the app JWT) and `user` (the user's OAuth token, with which the installation id
 * of GitHub's redirect was checked), and at the top the installation token and its `expires_at`, which requests carry
 * (`Bearer`) and which is fetched again before it expires, as APP's. The integration holds the OAuth client
 * (`oauth.client_id`, `client_secret`) and the app (`oauth.app_id`, `app_private_key`, `app_link`).
 */
export const githubAppOAuth: AuthModeHandler = {
  mode: 'CUSTOM',
  requiredFields: [],
  issuedByProvider: true,
  tokenFetch: { atCreation: true },
  grant(integration, connection, timeoutMs): TokenGrant | GrantMissing {
    return installationGrant(integration, connection.additionalConfig, timeoutMs, withAppToken);
  },
  authorise(integration, connection, request) {
    setCredentialHeader(request.headers, 'authorization', `Bearer ${credentialField(integration, connection, 'access_token')}`);
  },
};

/** The credentials held before with the new installation token, at the top and as `app`. */
export function withAppToken(previous: StoredCredentials, response: Record<string, unknown>): StoredCredentials {
  const token = installationToken(response);
  return { ...previous, ...token, app: { ...token, raw: rest(response) } };
}
