import type { Provider } from '../../src/providers/Provider';
import { APP_ID, APP_KEY, LocalGitHub, OAUTH_CLIENT } from '../authModes/githubMock';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';

const SECRET_KEY = 'integrations-custom-secret';
const APP_LINK = 'https://github.example/apps/acme-app';
const json = { 'content-type': 'application/json' };
const post = (body: unknown) => ({ method: 'POST', headers: json, body: JSON.stringify(body), key: SECRET_KEY });
const patch = (body: unknown) => ({ method: 'PATCH', headers: json, body: JSON.stringify(body), key: SECRET_KEY });
/** A line from the middle of the PEM: what a leak of the key would show. */
const KEY_LINE = String(APP_KEY.split('\n')[2]);
const messageOf = (body: unknown) => String((body as { error: { message: string } }).error.message);

/**
 * A GitHub App with OAuth (CUSTOM) made at run time: POST /integrations with Nango's `{ type: 'CUSTOM', client_id,
 * client_secret, app_id, app_link, private_key }`, then the combined install-and-authorise flow of that integration
 * (/oauth/connect to the app's install page, GitHub's redirect with a code and an installation id to /oauth/callback)
 * makes a Connection whose installation token works through the proxy. Bad settings are refused naming the field, the
 * key never quoted; `include=credentials` gives the OAuth client and app id, never the private key.
 */
describe('POST /integrations with a GitHub App with OAuth (CUSTOM)', () => {
  const github = new LocalGitHub();
  let api: ApiHarness;

  beforeAll(async () => {
    await github.api.start();
    api = await startApi({
      secretKey: SECRET_KEY,
      catalog: catalogOf({
        name: 'github-app-oauth-local',
        auth_mode: 'CUSTOM',
        authorization_url: '${connectionConfig.appPublicLink}/installations/new',
        token_url: `${github.api.url}/login/oauth/access_token`,
        token_urls: {
          APP: `${github.api.url}/app/installations/\${connectionConfig.installation_id}/access_tokens`,
          OAUTH2: `${github.api.url}/login/oauth/access_token`,
        },
        proxy: { base_url: github.api.url },
      } as Provider),
    });
  }, 30_000);

  afterAll(async () => {
    await api?.stop();
    await github.api.stop();
  });

  const credentials = {
    type: 'CUSTOM',
    client_id: OAUTH_CLIENT.id,
    client_secret: OAUTH_CLIENT.secret,
    app_id: APP_ID,
    app_link: `${APP_LINK}/`,
    private_key: APP_KEY,
  };

  it('makes the integration, and its install-and-authorise flow makes a Connection with a working installation token', async () => {
    const made = await api.call(
      '/integrations',
      post({ provider: 'github-app-oauth-local', unique_key: 'gh-custom', credentials }),
    );
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ data: { unique_key: 'gh-custom', auth_mode: 'CUSTOM' } });
    expect(JSON.stringify(made.body)).not.toContain(KEY_LINE);
    const shown = await api.call('/integrations/gh-custom?include=credentials', { key: SECRET_KEY });
    expect(shown.body).toMatchObject({
      data: {
        credentials: {
          type: 'CUSTOM',
          client_id: OAUTH_CLIENT.id,
          client_secret: OAUTH_CLIENT.secret,
          app_id: APP_ID,
          app_link: APP_LINK,
        },
      },
    });
    expect(JSON.stringify(shown.body)).not.toContain(KEY_LINE);
    expect(JSON.stringify(shown.body)).not.toContain('private_key');

    const start = await api.call('/oauth/connect/gh-custom?connection_id=ann', { redirect: 'manual', key: SECRET_KEY });
    expect(start.status).toBe(302);
    const location = new URL(String(start.headers.get('location')));
    expect(location.origin + location.pathname).toBe(`${APP_LINK}/installations/new`);
    expect(location.searchParams.get('client_id')).toBe(OAUTH_CLIENT.id);
    const state = String(location.searchParams.get('state'));
    const code = github.codeFor('octocat', ['42']);
    const back = await api.call(`/oauth/callback?code=${code}&installation_id=42&setup_action=install&state=${state}`);
    expect(String(back.body)).toContain('AUTHORIZATION_SUCEEDED');
    const proxied = await api.call('/proxy/installation/repositories', {
      key: SECRET_KEY,
      headers: { 'Connection-Id': 'ann', 'Provider-Config-Key': 'gh-custom' },
    });
    expect(proxied).toMatchObject({ status: 200, body: { installation: '42' } });
    // The installation token came from the app JWT signed with the stored key; the user's token checked the id.
    expect(github.api.requests.some((request) => request.url.pathname === '/user/installations')).toBe(true);
    expect(github.api.refusals).toEqual([]);
    expect(api.rawLogs.join('\n')).not.toContain(KEY_LINE);
  });

  it('refuses a private key that is not PEM, naming the field and never quoting the key', async () => {
    const bad = await api.call(
      '/integrations',
      post({
        provider: 'github-app-oauth-local',
        unique_key: 'gh-bad',
        credentials: { ...credentials, private_key: 'not-a-pem-secret-text' },
      }),
    );
    expect(bad.status).toBe(400);
    expect(messageOf(bad.body)).toContain('credentials.private_key: not a PEM private key');
    expect(messageOf(bad.body)).not.toContain('not-a-pem-secret-text');
    expect(api.rawLogs.join('\n')).not.toContain('not-a-pem-secret-text');
    expect((await api.call('/integrations/gh-bad', { key: SECRET_KEY })).status).toBe(404);
  });

  it('refuses missing fields, naming each, and a type that is not CUSTOM', async () => {
    const partial = { ...credentials, client_secret: undefined, app_id: undefined };
    const missing = await api.call(
      '/integrations',
      post({ provider: 'github-app-oauth-local', unique_key: 'gh-bad', credentials: partial }),
    );
    expect(missing.status).toBe(400);
    expect(messageOf(missing.body)).toContain('client_secret, app_id missing');
    expect(messageOf(missing.body)).not.toContain(KEY_LINE);
    const wrongType = await api.call(
      '/integrations',
      post({ provider: 'github-app-oauth-local', unique_key: 'gh-bad', credentials: { ...credentials, type: 'OAUTH2' } }),
    );
    expect(wrongType.status).toBe(400);
    expect(messageOf(wrongType.body)).toContain("credentials.type: 'OAUTH2' is not supported");
    expect((await api.call('/integrations/gh-bad', { key: SECRET_KEY })).status).toBe(404);
  });

  it('PATCH takes a new CUSTOM app and still refuses a bad key', async () => {
    await api.call('/integrations', post({ provider: 'github-app-oauth-local', unique_key: 'gh-patch', credentials }));
    const changed = await api.call(
      '/integrations/gh-patch',
      patch({ credentials: { ...credentials, client_id: 'Iv1.other', app_id: '778' } }),
    );
    expect(changed.status).toBe(200);
    const shown = await api.call('/integrations/gh-patch?include=credentials', { key: SECRET_KEY });
    expect(shown.body).toMatchObject({ data: { credentials: { client_id: 'Iv1.other', app_id: '778' } } });
    const bad = await api.call('/integrations/gh-patch', patch({ credentials: { ...credentials, private_key: 'nope-key' } }));
    expect(bad.status).toBe(400);
    expect(messageOf(bad.body)).toContain('credentials.private_key');
  });
});
