import type { StoredCredentials } from '@nangohq/protocol';
import { APP_LINK_FIELD, appTokenUrl, INSTALLATION_FIELD, INSTALLATION_ID, installationGrant } from '../../authModes/githubApp';
import { withAppToken } from '../../authModes/githubAppOAuth';
import type { IntegrationConfig } from '../../config/types';
import type { OAuthClientConfig } from '../../integrations/IntegrationRegistry';
import { OAuthFlowError } from '../../oauth/flow/OAuthFlowError';
import { describeFetchError, TokenEndpointError } from '../../oauth/requestToken';

/** Pages of `GET /user/installations` read (100 installations each) before an id not found is refused. */
const MAX_PAGES = 10;

/**
 * The OAuth client of a CUSTOM flow (a GitHub App with OAuth): the user is sent to the app's install page, which,
 * with "Request user authorization (OAuth) during installation" set on the app, installs and authorises in one go
 * and redirects to /oauth/callback with `code`, `installation_id` and `state`. The page is `oauth.app_link`'s, else
 * the request's `params[appPublicLink]`.
 * @throws OAuthFlowError `provider_config_err` when there is no app link
 */
export function installClient(
  integration: IntegrationConfig,
  client: OAuthClientConfig,
  params: Readonly<Record<string, string>>,
): { client: OAuthClientConfig; params: Record<string, string> } {
  const appLink = (integration.oauth?.appLink ?? params[APP_LINK_FIELD] ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(appLink)) {
    throw new OAuthFlowError(
      'provider_config_err',
      `Integration '${integration.name}' has no GitHub App link: set integrations.${integration.name}.oauth.app_link (https://github.com/apps/<slug>) or give params[${APP_LINK_FIELD}]`,
    );
  }
  const provider = { ...client.provider, authorization_url: `${appLink}/installations/new` };
  return { client: { ...client, provider }, params: { ...params, [APP_LINK_FIELD]: appLink } };
}

/**
 * The end of a CUSTOM flow, once the code was traded for the user's token: the installation id GitHub's redirect
 * carries is checked against the installations the user can reach (`GET /user/installations` with the user's token:
 * anyone can put any id in a URL), then the installation token is fetched with the app JWT. Returns the credentials to
 * store (Nango's `app` and `user`, the installation token at the top) and the config with `installation_id`.
 * @throws OAuthFlowError `callback_err` (no id, or one the user cannot reach), `token_err` (GitHub refused a token)
 */
export async function completeInstallation(
  integration: IntegrationConfig,
  user: StoredCredentials,
  config: Record<string, unknown>,
  query: Readonly<Record<string, unknown>>,
  timeoutMs: number,
): Promise<{ credentials: StoredCredentials; config: Record<string, unknown> }> {
  const installation = query[INSTALLATION_FIELD];
  if (typeof installation !== 'string' || !INSTALLATION_ID.test(installation)) {
    throw new OAuthFlowError('callback_err', `The callback carries no ${INSTALLATION_FIELD}: was the app installed?`);
  }
  const userToken = user['access_token'];
  if (typeof userToken !== 'string') throw new OAuthFlowError('token_err', "GitHub's answer has no user access token");
  const installationsUrl = new URL('/user/installations', appTokenUrl(integration));
  if (!(await userReaches(installationsUrl, userToken, installation, timeoutMs))) {
    throw new OAuthFlowError(
      'callback_err',
      `Installation ${installation} is not one the authorising user can reach (GET /user/installations): nothing was stored`,
    );
  }
  const withInstallation = { ...config, [INSTALLATION_FIELD]: installation };
  const grant = installationGrant(integration, withInstallation, timeoutMs, withAppToken);
  if ('missing' in grant) throw new OAuthFlowError('provider_config_err', grant.missing);
  let response: Record<string, unknown>;
  try {
    response = await grant.request();
  } catch (error) {
    if (error instanceof TokenEndpointError) throw new OAuthFlowError('token_err', error.message);
    throw error;
  }
  const { raw, ...userFields } = user;
  const credentials = grant.credentials({ user: { ...userFields, raw }, raw }, response, Date.now());
  return { credentials, config: withInstallation };
}

/** Whether `installation` is among those `GET /user/installations` lists for the user's token (paged, 100 a page). */
async function userReaches(url: URL, token: string, installation: string, timeoutMs: number): Promise<boolean> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    url.searchParams.set('per_page', '100');
    url.searchParams.set('page', String(page));
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new OAuthFlowError('token_err', `GET /user/installations: ${describeFetchError(error, timeoutMs)}`);
    }
    if (!response.ok) throw new OAuthFlowError('token_err', `GET /user/installations answered HTTP ${response.status}`);
    const body = (await response.json().catch(() => undefined)) as { installations?: { id?: unknown }[] } | undefined;
    const listed = Array.isArray(body?.installations) ? body.installations : [];
    if (listed.some((item) => String(item.id) === installation)) return true;
    if (listed.length < 100) return false;
  }
  return false;
}
