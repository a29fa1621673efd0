import type { Provider } from '../../src/providers/Provider';
import { APP_ID, APP_KEY, LocalGitHub } from '../authModes/githubMock';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';

const SECRET_KEY = 'integrations-app-secret';
const json = { 'content-type': 'application/json' };
const post = (body: unknown) => ({ method: 'POST', headers: json, body: JSON.stringify(body), key: SECRET_KEY });

/**
 * A GitHub App integration (APP) made at run time: POST /integrations with Nango's `{ type: 'APP', app_id, app_link,
 * private_key }`, then the install flow of that integration (/oauth/connect to the app's install page, GitHub's
 * redirect to /app-auth/connect) makes a Connection whose installation token works; bad settings are refused naming
 * the field, the key never quoted.
 */
describe('POST /integrations with a GitHub App (APP)', () => {
  const github = new LocalGitHub();
  let api: ApiHarness;

  beforeAll(async () => {
    await github.api.start();
    api = await startApi({
      secretKey: SECRET_KEY,
      catalog: catalogOf({
        name: 'github-app-local',
        auth_mode: 'APP',
        authorization_url: '${connectionConfig.appPublicLink}/installations/new',
        token_url: `${github.api.url}/app/installations/\${connectionConfig.installation_id}/access_tokens`,
        proxy: { base_url: github.api.url },
      } as Provider),
    });
  }, 30_000);

  afterAll(async () => {
    await api?.stop();
    await github.api.stop();
  });

  it('makes the integration, and its install flow makes a Connection with a working installation token', async () => {
    const made = await api.call(
      '/integrations',
      post({
        provider: 'github-app-local',
        unique_key: 'gh-runtime',
        credentials: { type: 'APP', app_id: APP_ID, app_link: 'https://github.example/apps/acme-app/', private_key: APP_KEY },
      }),
    );
    expect(made.status).toBe(200);
    expect(JSON.stringify(made.body)).not.toContain(APP_KEY.split('\n')[1]);
    const start = await api.call('/oauth/connect/gh-runtime?connection_id=ann', { redirect: 'manual', key: SECRET_KEY });
    expect(start.status).toBe(302);
    const location = new URL(String(start.headers.get('location')));
    expect(location.origin + location.pathname).toBe('https://github.example/apps/acme-app/installations/new');
    const state = String(location.searchParams.get('state'));
    const back = await api.call(`/app-auth/connect?installation_id=42&setup_action=install&state=${state}`);
    expect(String(back.body)).toContain('AUTHORIZATION_SUCEEDED');
    const proxied = await api.call('/proxy/installation/repositories', {
      key: SECRET_KEY,
      headers: { 'Connection-Id': 'ann', 'Provider-Config-Key': 'gh-runtime' },
    });
    expect(proxied).toMatchObject({ status: 200, body: { installation: '42' } });
    expect(github.api.refusals).toEqual([]);
  });

  it('refuses a private key that is not PEM, naming the field and never quoting the key', async () => {
    const bad = await api.call(
      '/integrations',
      post({
        provider: 'github-app-local',
        unique_key: 'gh-bad',
        credentials: { type: 'APP', app_id: APP_ID, private_key: 'not-a-pem-secret-text' },
      }),
    );
    expect(bad.status).toBe(400);
    const message = String((bad.body as { error: { message: string } }).error.message);
    expect(message).toContain('credentials.private_key: not a PEM private key');
    expect(message).not.toContain('not-a-pem-secret-text');
    expect(api.rawLogs.join('\n')).not.toContain('not-a-pem-secret-text');
    const noKey = await api.call(
      '/integrations',
      post({ provider: 'github-app-local', unique_key: 'gh-bad', credentials: { app_id: APP_ID } }),
    );
    expect(String((noKey.body as { error: { message: string } }).error.message)).toContain('app_id and private_key');
    const link = await api.call(
      '/integrations',
      post({
        provider: 'github-app-local',
        unique_key: 'gh-bad',
        credentials: { app_id: APP_ID, private_key: APP_KEY, app_link: 'github/apps/x' },
      }),
    );
    expect(String((link.body as { error: { message: string } }).error.message)).toContain(
      "credentials.app_link: 'github/apps/x'",
    );
    expect((await api.call('/integrations/gh-bad', { key: SECRET_KEY })).status).toBe(404);
  });
});
