import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NangoError } from '@nangohq/node-client';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf } from '../helpers/apiHarness';
import { startHarness, waitFor, type Harness } from '../helpers/harness';
import { APP_ID, APP_KEY, LocalGitHub } from './githubMock';
import { ITEMS_SYNC_YAML } from './modeHarness';

const SECRET = 'app-test-secret-key';
const FIXTURES = join(__dirname, '..', 'fixtures', 'authModes');

/**
 * APP (GitHub App installations) end to end: Connections registered over RabbitMQ with their installation id, the
 * installation token fetched at creation with the app JWT, used by an action, the proxy and a sync, fetched again before it
 * expires; an unknown installation or a missing id refused with nothing stored.
 */
describe('APP (GitHub App installation tokens)', () => {
  const github = new LocalGitHub();
  let dir: string;
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    await github.api.start();
    dir = mkdtempSync(join(tmpdir(), 'nango-app-'));
    mkdirSync(join(dir, 'gh'));
    cpSync(join(FIXTURES, 'call.action.ts'), join(dir, 'gh', 'call.action.ts'));
    mkdirSync(join(dir, 'gh-sync'));
    cpSync(join(FIXTURES, 'items.sync.ts'), join(dir, 'gh-sync', 'items.sync.ts'));
    const catalog = catalogOf({
      name: 'github-app-local',
      auth_mode: 'APP',
      authorization_url: '${connectionConfig.appPublicLink}/installations/new',
      token_url: `${github.api.url}/app/installations/\${connectionConfig.installation_id}/access_tokens`,
      proxy: { base_url: github.api.url },
    } as Provider);
    process.env['GITHUB_APP_KEY'] = APP_KEY; // integrations.yaml reads it, as a deployment would
    h = await startHarness({
      yaml: `
integrations:
  gh:
    provider: github-app-local
    oauth:
      client_id: "${APP_ID}"
      client_secret: \${GITHUB_APP_KEY}
      app_link: https://github.example/apps/acme-app
  # The same app with the fixtures' sync, apart so that its calls do not come between the other tests' calls and checks.
  gh-sync:
    provider: github-app-local
    oauth:
      client_id: "${APP_ID}"
      client_secret: \${GITHUB_APP_KEY}
${ITEMS_SYNC_YAML}`,
      integrationsDir: dir,
      catalog,
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
  const credentials = async (id: string) => {
    const reply = await fetch(`${url}/connection/${id}?provider_config_key=gh`, { headers: withKey });
    return { status: reply.status, body: ((await reply.json()) as { credentials: Record<string, unknown> }).credentials };
  };

  it('fetches an installation token with the app JWT when the Connection is made, and calls the API with it', async () => {
    await h.nango.registerConnection('gh', 'ann', {}, { installation_id: '42' });
    const stored = (await credentials('ann')).body;
    expect(stored).toMatchObject({ type: 'APP', access_token: expect.stringMatching(/^ghs_/), expires_at: expect.any(String) });
    expect(github.issued.size).toBe(1);
    const result = await h.nango.triggerAction('gh', 'call', 'ann', { endpoint: '/repos/acme/app/issues' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { installation: '42' } });
    const proxied = await fetch(`${url}/proxy/installation/repositories`, {
      headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'gh' },
    });
    expect(await proxied.json()).toEqual({ installation: '42', path: '/installation/repositories' });
    expect(github.api.refusals).toEqual([]);
  });

  it('fetches a new installation token before the old one expires', async () => {
    github.expiresInS = 901; // due within the 15-minute margin a second after it is issued
    await h.nango.registerConnection('gh', 'bob', {}, { installation_id: '43' });
    github.expiresInS = 3600;
    const first = String((await credentials('bob')).body['access_token']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = await h.nango.triggerAction('gh', 'call', 'bob', { endpoint: '/x' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { installation: '43' } });
    const second = String((await credentials('bob')).body['access_token']);
    expect(second).not.toBe(first);
    expect(github.api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${second}`);
    expect(github.api.refusals).toEqual([]);
  }, 20_000);

  it("runs the install flow: /oauth/connect opens the app's install page, GitHub's redirect makes the Connection", async () => {
    const start = await fetch(`${url}/oauth/connect/gh?connection_id=dora`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const location = new URL(String(start.headers.get('location')));
    expect(location.origin + location.pathname).toBe('https://github.example/apps/acme-app/installations/new');
    const state = String(location.searchParams.get('state'));
    expect(state).toMatch(/^[\w-]{43}$/);
    const back = await fetch(`${url}/app-auth/connect?installation_id=42&setup_action=install&state=${state}`);
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('AUTHORIZATION_SUCEEDED');
    const reply = await fetch(`${url}/connection/dora?provider_config_key=gh`, { headers: withKey });
    const made = (await reply.json()) as { credentials: Record<string, unknown>; connection_config: Record<string, unknown> };
    expect(made.connection_config).toEqual({ installation_id: '42', appPublicLink: 'https://github.example/apps/acme-app' });
    expect(made.credentials['access_token']).toMatch(/^ghs_/);
    // The state ends with the flow: a second redirect with it makes nothing.
    const again = await fetch(`${url}/app-auth/connect?installation_id=43&setup_action=install&state=${state}`);
    expect(await again.text()).toContain('state_err');
  });

  it('ends the install flow with an error, storing nothing, for an installation the app cannot use or a missing id', async () => {
    const stateOf = async (id: string) => {
      const start = await fetch(`${url}/oauth/connect/gh?connection_id=${id}`, { redirect: 'manual' });
      return String(new URL(String(start.headers.get('location'))).searchParams.get('state'));
    };
    const unknown = await fetch(`${url}/app-auth/connect?installation_id=99&setup_action=install&state=${await stateOf('eli')}`);
    const page = await unknown.text();
    expect(page).toContain('AUTHORIZATION_FAILED');
    expect(page).toContain('token_err');
    const missing = await fetch(`${url}/app-auth/connect?setup_action=request&state=${await stateOf('eli')}`);
    expect(await missing.text()).toContain('an organisation owner must approve it');
    expect((await credentials('eli')).status).toBe(404);
  });

  it('refuses an installation GitHub does not know, and a Connection without an installation id, storing nothing', async () => {
    const unknown = (await h.nango
      .registerConnection('gh', 'cat', {}, { installation_id: '99' })
      .catch((e: unknown) => e)) as NangoError;
    expect(unknown.code).toBe('invalid_credentials');
    expect(unknown.errorMsg).toContain('HTTP 404');
    const missing = (await h.nango.registerConnection('gh', 'cat', {}, {}).catch((e: unknown) => e)) as NangoError;
    expect(missing.code).toBe('invalid_credentials');
    expect(missing.errorMsg).toContain('installation_id');
    expect((await credentials('cat')).status).toBe(404);
    expect(h.rawLogs.join('\n')).not.toContain(APP_KEY.split('\n')[1]);
  });

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
    const token = ((await reply.json()) as { credentials: Record<string, unknown> }).credentials['access_token'];
    const read = github.api.requests.find((request) => request.url.pathname === '/items');
    expect(read?.headers.authorization).toBe(`Bearer ${String(token)}`);
    expect(github.api.refusals).toEqual([]);
  }, 30_000);
});
