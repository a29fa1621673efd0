import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import { startHarness, waitFor, type Harness } from '../helpers/harness';
import { APP_ID, APP_KEY, LocalGitHub, OAUTH_CLIENT } from './githubMock';
import { ITEMS_SYNC_YAML } from './modeHarness';

const SECRET = 'custom-test-secret-key';
const FIXTURES = join(__dirname, '..', 'fixtures', 'authModes');
const APP_LINK = 'https://github.example/apps/acme-app';

/** A Connection as GET /connection/:id answers it, as far as these tests read it. */
interface ConnectionReply {
  credentials: Record<string, unknown> & { app?: Record<string, unknown>; user?: Record<string, unknown> };
  connection_config: Record<string, unknown>;
}

/**
 * CUSTOM (a GitHub App with OAuth) end to end, its catalog entry written as Nango's `github-app-oauth` (a token URL
 * per mode) and loaded by the catalog loader: /oauth/connect opens the app's install page, GitHub's redirect brings a
 * code and an installation id, the id is checked with the user's token (GET /user/installations) before anything is
 * stored, the installation token is fetched with the app JWT, used by an action, the proxy and a sync, and fetched again
 * before it expires.
 */
describe('CUSTOM (GitHub App with OAuth)', () => {
  const github = new LocalGitHub();
  let dir: string;
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    await github.api.start();
    dir = mkdtempSync(join(tmpdir(), 'nango-custom-'));
    mkdirSync(join(dir, 'gh'));
    cpSync(join(FIXTURES, 'call.action.ts'), join(dir, 'gh', 'call.action.ts'));
    mkdirSync(join(dir, 'gh-sync'));
    cpSync(join(FIXTURES, 'items.sync.ts'), join(dir, 'gh-sync', 'items.sync.ts'));
    const catalogFile = join(dir, 'providers.yaml');
    writeFileSync(
      catalogFile,
      `
github-app-oauth-local:
  auth_mode: CUSTOM
  authorization_url: \${connectionConfig.appPublicLink}/installations/new
  token_url:
    APP: ${github.api.url}/app/installations/\${connectionConfig.installation_id}/access_tokens
    OAUTH2: ${github.api.url}/login/oauth/access_token
  connection_config:
    appPublicLink: { type: string, title: App Public Link, automated: true }
    installation_id: { type: string, title: Installation ID, automated: true }
  proxy:
    base_url: ${github.api.url}
`,
    );
    process.env['GITHUB_APP_KEY'] = APP_KEY;
    h = await startHarness({
      yaml: `
integrations:
  gh:
    provider: github-app-oauth-local
    oauth:
      client_id: ${OAUTH_CLIENT.id}
      client_secret: ${OAUTH_CLIENT.secret}
      app_id: "${APP_ID}"
      app_private_key: \${GITHUB_APP_KEY}
      app_link: ${APP_LINK}
  # The same app with the fixtures' sync, apart so that its calls do not come between the other tests' calls and checks.
  gh-sync:
    provider: github-app-oauth-local
    oauth:
      client_id: ${OAUTH_CLIENT.id}
      client_secret: ${OAUTH_CLIENT.secret}
      app_id: "${APP_ID}"
      app_private_key: \${GITHUB_APP_KEY}
      app_link: ${APP_LINK}
${ITEMS_SYNC_YAML}`,
      integrationsDir: dir,
      catalog: loadProviderCatalog({ file: catalogFile }),
      port: 0,
      secretKey: SECRET,
      syncTickMs: 100,
    });
    url = h.worker.httpUrl as string;
  }, 30_000);

  afterAll(async () => {
    await h?.stop();
    await github.api.stop();
    rmSync(dir, { recursive: true, force: true });
    delete process.env['GITHUB_APP_KEY'];
  });

  const withKey = { authorization: `Bearer ${SECRET}` };
  const connection = async (id: string) => {
    const reply = await fetch(`${url}/connection/${id}?provider_config_key=gh`, { headers: withKey });
    return { status: reply.status, body: (await reply.json()) as ConnectionReply };
  };
  const startFlow = async (id: string) => {
    const start = await fetch(`${url}/oauth/connect/gh?connection_id=${id}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    return new URL(String(start.headers.get('location')));
  };

  it('installs and authorises in one flow, checking the installation with the user token, then calls with the installation token', async () => {
    const location = await startFlow('ann');
    expect(location.origin + location.pathname).toBe(`${APP_LINK}/installations/new`);
    expect(location.searchParams.get('client_id')).toBe(OAUTH_CLIENT.id);
    expect(location.searchParams.get('redirect_uri')).toBe(`${url}/oauth/callback`);
    const state = String(location.searchParams.get('state'));
    const code = github.codeFor('octocat', ['42']);
    const back = await fetch(`${url}/oauth/callback?code=${code}&installation_id=42&setup_action=install&state=${state}`);
    expect(await back.text()).toContain('AUTHORIZATION_SUCEEDED');
    const { body } = await connection('ann');
    expect(body.connection_config).toMatchObject({ installation_id: '42', appPublicLink: APP_LINK });
    expect(body.credentials).toMatchObject({
      type: 'CUSTOM',
      access_token: expect.stringMatching(/^ghs_/),
      expires_at: expect.any(String),
      app: { access_token: expect.stringMatching(/^ghs_/), expires_at: expect.any(String) },
      user: { access_token: expect.stringMatching(/^ghu_/) },
    });
    expect(body.credentials.app?.['access_token']).toBe(body.credentials['access_token']);
    // The installation id was checked with the user's token before anything was stored.
    const check = github.api.requests.find((request) => request.url.pathname === '/user/installations');
    expect(check?.headers.authorization).toBe(`Bearer ${String(body.credentials.user?.['access_token'])}`);
    const result = await h.nango.triggerAction('gh', 'call', 'ann', { endpoint: '/repos/acme/app' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { installation: '42' } });
    const proxied = await fetch(`${url}/proxy/installation/repositories`, {
      headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'gh' },
    });
    expect(await proxied.json()).toEqual({ installation: '42', path: '/installation/repositories' });
    expect(github.api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${String(body.credentials['access_token'])}`);
    expect(github.api.refusals).toEqual([]);
  });

  it('refuses an installation id the authorising user cannot reach (a forged redirect), storing nothing', async () => {
    const state = String((await startFlow('mal')).searchParams.get('state'));
    const code = github.codeFor('mallory', ['43']);
    const back = await fetch(`${url}/oauth/callback?code=${code}&installation_id=42&setup_action=install&state=${state}`);
    const page = await back.text();
    expect(page).toContain('AUTHORIZATION_FAILED');
    expect(page).toContain('is not one the authorising user can reach');
    expect((await connection('mal')).status).toBe(404);
    const issued = github.issued.size;
    const noId = String((await startFlow('mal')).searchParams.get('state'));
    const again = await fetch(`${url}/oauth/callback?code=${github.codeFor('mallory', ['43'])}&state=${noId}`);
    expect(await again.text()).toContain('carries no installation_id');
    expect(github.issued.size).toBe(issued);
  });

  it('fetches a new installation token before the old one expires', async () => {
    github.expiresInS = 901; // due within the 15-minute margin a second after it is issued
    await h.nango.registerConnection('gh', 'bob', {}, { installation_id: '43' });
    github.expiresInS = 3600;
    const first = (await connection('bob')).body.credentials;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = await h.nango.triggerAction('gh', 'call', 'bob', { endpoint: '/x' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { installation: '43' } });
    const second = (await connection('bob')).body.credentials;
    expect(second['access_token']).not.toBe(first['access_token']);
    expect(second.app?.['access_token']).toBe(second['access_token']);
    expect(github.api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${String(second['access_token'])}`);
    expect(h.rawLogs.join('\n')).not.toContain(APP_KEY.split('\n')[1]);
  }, 20_000);

  it('runs the sync of a new Connection with its installation token', async () => {
    await h.nango.registerConnection('gh-sync', 'gus', {}, { installation_id: '43' });
    const records = async () => {
      const reply = await fetch(`${url}/records?model=Item`, {
        headers: { ...withKey, 'Connection-Id': 'gus', 'Provider-Config-Key': 'gh-sync' },
      });
      return ((await reply.json()) as { records: { id: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
    expect((await records())[0]).toMatchObject({ id: 'i-43', name: 'installation 43' });
    const reply = await fetch(`${url}/connection/gus?provider_config_key=gh-sync`, { headers: withKey });
    const token = ((await reply.json()) as ConnectionReply).credentials['access_token'];
    const read = github.api.requests.find((request) => request.url.pathname === '/items');
    expect(read?.headers.authorization).toBe(`Bearer ${String(token)}`);
    expect(github.api.refusals).toEqual([]);
  }, 30_000);
});
