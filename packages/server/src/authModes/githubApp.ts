import { createPrivateKey } from 'node:crypto';
import type { IntegrationConfig } from '../config/types';
import { describeFetchError, isTransientStatus, TokenEndpointError } from '../oauth/requestToken';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';
import { normalisePem } from './jwtTemplate';
import { parseJsonObject } from '../parseJsonObject';

/** jose (some 80 modules) loads with the first token signed, not at every start of the server. */
const jose = () => require('jose') as typeof import('jose');

/** The Connection config field of a GitHub App installation (the catalog's `connection_config.installation_id`). */
export const INSTALLATION_FIELD = 'installation_id';

/** The Connection config field of the app's public page (the catalog's `connection_config.appPublicLink`). */
export const APP_LINK_FIELD = 'appPublicLink';

/** GitHub's own token URL of an installation, when the catalog entry names none. */
const GITHUB_TOKEN_URL = 'https://api.github.com/app/installations/${connectionConfig.installation_id}/access_tokens';

/** GitHub refuses app JWTs that live longer than 10 minutes; 9, with iat 60 s back for clock drift, as it advises. */
const APP_JWT_LIFE_S = 540;
const CLOCK_DRIFT_S = 60;

/**
 * APP (a GitHub App installation): the integration holds the app's id (`oauth.client_id`) and private key
 * (`oauth.client_secret`, PEM), as Nango keeps them; a Connection holds its installation's id in its config
 * (`installation_id`, digits). The server signs an app JWT (RS256, `iss` the app id) and trades it at the installation's
 * access_tokens endpoint for an installation token (an hour's life), at creation and again before it expires. Requests
 * carry `Authorization: Bearer <installation token>`.
 */
export const githubApp: AuthModeHandler = {
  mode: 'APP',
  requiredFields: [],
  issuedByProvider: true,
  tokenFetch: { atCreation: true },
  grant(integration, connection, timeoutMs): TokenGrant | GrantMissing {
    return installationGrant(integration, connection.additionalConfig, timeoutMs, (previous, response) => ({
      ...previous,
      ...installationToken(response),
      raw: rest(response),
    }));
  },
  authorise(integration, connection, request) {
    setCredentialHeader(request.headers, 'authorization', `Bearer ${credentialField(integration, connection, 'access_token')}`);
  },
};

/**
 * The grant of a Connection's installation token: the app JWT traded at the installation's access_tokens endpoint
 * (the catalog's APP token URL, `${connectionConfig.installation_id}` filled with the Connection's).
 * @param config the Connection's config, which holds `installation_id`
 * @param credentials what to store from GitHub's answer and the credentials held before
 */
export function installationGrant(
  integration: IntegrationConfig,
  config: Readonly<Record<string, unknown>>,
  timeoutMs: number,
  credentials: TokenGrant['credentials'],
): TokenGrant | GrantMissing {
  const app = appOf(integration);
  if ('missing' in app) return app;
  const installation = config[INSTALLATION_FIELD];
  if (typeof installation !== 'string' || !INSTALLATION_ID.test(installation)) {
    return { missing: `the Connection has no ${INSTALLATION_FIELD} (the GitHub App installation's id, digits) in its config` };
  }
  const tokenUrl = appTokenUrl(integration).replace(/\$\{connectionConfig\.installation_id\}/g, installation);
  return { request: () => requestInstallationToken(tokenUrl, app, timeoutMs), credentials };
}

/** An installation id as GitHub writes it. */
export const INSTALLATION_ID = /^\d{1,20}$/;

/** The installations' token URL of an integration's catalog entry (`token_url`, or CUSTOM's `token_url.APP`). */
export function appTokenUrl(integration: IntegrationConfig): string {
  const provider = integration.provider;
  const own = integration.authMode === 'APP' ? provider?.token_url : provider?.token_urls?.['APP'];
  return own ?? GITHUB_TOKEN_URL;
}

/**
 * The app's id and private key, or what the integration lacks: `oauth.app_id` and `oauth.app_private_key`, or for
 * APP, as Nango keeps them, `oauth.client_id` and `oauth.client_secret`.
 */
export function appOf(integration: IntegrationConfig): { appId: string; privateKey: string } | GrantMissing {
  const { oauth } = integration;
  const isApp = integration.authMode === 'APP';
  const appId = oauth?.appId ?? (isApp ? oauth?.clientId : undefined);
  const privateKey = oauth?.appPrivateKey ?? (isApp ? oauth?.clientSecret : undefined);
  if (!appId || !privateKey) {
    const keys = isApp
      ? 'oauth.client_id (the app id) and client_secret (its private key, PEM)'
      : 'oauth.app_id and oauth.app_private_key (PEM)';
    return {
      missing: `integration '${integration.name}' has no GitHub App id and private key: set integrations.${integration.name}.${keys}`,
    };
  }
  return { appId, privateKey };
}

/**
 * The app's JWT: RS256, `iss` the app id, `iat` a minute back, `exp` nine minutes on.
 * @throws TokenEndpointError `refused` when the private key cannot be read (the integration's, not the user's)
 */
export async function appJwt(app: { appId: string; privateKey: string }, now: number): Promise<string> {
  let key;
  try {
    key = createPrivateKey(normalisePem(app.privateKey));
  } catch {
    throw new TokenEndpointError('refused', "the GitHub App's private key (oauth.client_secret) is not a PEM private key");
  }
  const iat = Math.floor(now / 1000) - CLOCK_DRIFT_S;
  return new (jose().SignJWT)({ iss: app.appId, iat, exp: iat + APP_JWT_LIFE_S }).setProtectedHeader({ alg: 'RS256' }).sign(key);
}

/**
 * POST to the installation's access_tokens endpoint with the app JWT.
 * @returns GitHub's answer: `{ token, expires_at, permissions, repository_selection, … }`
 * @throws TokenEndpointError `rejected` (401/403/404: the installation is gone or the app lost access), `transient`
 *   (no answer, 5xx, 429), `refused` otherwise; no message quotes a token
 */
async function requestInstallationToken(
  tokenUrl: string,
  app: { appId: string; privateKey: string },
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const jwt = await appJwt(app, Date.now());
  let response: Response;
  try {
    response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new TokenEndpointError('transient', describeFetchError(error, timeoutMs));
  }
  const text = await response.text();
  if (!response.ok) {
    const kind = isTransientStatus(response.status)
      ? 'transient'
      : [401, 403, 404].includes(response.status)
        ? 'rejected'
        : 'refused';
    const message = messageOf(text);
    throw new TokenEndpointError(kind, `HTTP ${response.status} from the installation's access_tokens endpoint${message}`);
  }
  const body = parseJsonObject(text);
  if (!body || typeof body['token'] !== 'string' || typeof body['expires_at'] !== 'string') {
    throw new TokenEndpointError('refused', "the access_tokens endpoint's answer has no token and expires_at");
  }
  return body;
}

/** The installation token of GitHub's answer, as a Connection stores it (Nango's AppCredentials' fields). */
export function installationToken(response: Record<string, unknown>): { access_token: string; expires_at: string } {
  return { access_token: String(response['token']), expires_at: new Date(String(response['expires_at'])).toISOString() };
}

/** GitHub's answer without its token: permissions, repository selection, … */
export function rest(response: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(response).filter(([field]) => field !== 'token'));
}

/** GitHub's `message`, for the error: it never holds a token. */
function messageOf(text: string): string {
  const message = parseJsonObject(text)?.['message'];
  return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
}
