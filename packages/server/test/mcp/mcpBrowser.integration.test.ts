import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { Browser } from 'playwright-core';
import { catalogOf } from '../helpers/apiHarness';
import { FLOW_ENDED, launchChromium } from '../helpers/chromium';
import { FIXTURES_DIR, startHarness, waitFor, type Harness } from '../helpers/harness';
import { ITEMS_SYNC_YAML } from '../authModes/modeHarness';
import { McpServers } from './mcpServers';

/** Screenshots of the authorization server's pages and the app's result, to look at after a run (git ignores it). */
const SHOTS = join(__dirname, '..', '..', '..', '..', 'test-output', 'browser', 'mcp-oauth');
/** The official frontend 0.71.4's files (index.js imports its siblings), served by the app. */
const OFFICIAL_DIST = dirname(require.resolve('nango-frontend-0714/dist/index.js'));

/** The server's NANGO_PUBLIC_KEY, which the official frontend sends with a connection id. */
const PUBLIC_KEY = 'mcp-test-public-key';
/** The auth mode tests' fixtures: the items sync, which reads GET /items with the Connection's auth. */
const AUTH_MODE_FIXTURES = join(__dirname, '..', 'fixtures', 'authModes');

/** The app's page: the official @nangohq/frontend 0.71.4, unchanged, connecting to the MCP server the user names. */
function appPage(apiUrl: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My app</title></head>
<body><h1>My app</h1>
<label>MCP server <input id="server"></label><button id="connect">Connect</button><pre id="result">(nothing yet)</pre>
<script type="module">
import Nango from '/official/index.js';
const nango = new Nango({ host: '${apiUrl}', publicKey: '${PUBLIC_KEY}' });
document.getElementById('connect').addEventListener('click', () => {
  const result = document.getElementById('result');
  result.textContent = 'waiting…';
  nango.auth('api', 'mcp-user', { params: { mcp_server_url: document.getElementById('server').value } })
    .then((r) => { result.textContent = 'OK ' + r.providerConfigKey + ' ' + r.connectionId; })
    .catch((e) => { result.textContent = 'ERROR ' + e.type + ': ' + e.message; });
});
</script></body></html>`;
}

/**
 * The "done when" for MCP OAuth: a Connection made through the official frontend's auth() popup in Chromium
 * to a remote MCP server whose authorization server is oidc-provider (discovery, dynamic registration, login and
 * consent, PKCE, the resource), then a proxy call, an action and a sync reading the MCP server through it (which
 * answers only tokens its authorization server issued for it), and a refresh with the client the flow registered.
 */
describe('an MCP server connected through the official frontend in a real browser', () => {
  let servers: McpServers;
  let harness: Harness;
  let app: Server;
  let appUrl: string;
  let browser: Browser;
  let api: string;
  let integrationsDir: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    servers = await McpServers.start();
    // The integration `api` has the fixtures' call action (api/call.action.ts) and the items sync.
    integrationsDir = mkdtempSync(join(tmpdir(), 'nango-mcp-'));
    mkdirSync(join(integrationsDir, 'api'));
    cpSync(join(FIXTURES_DIR, 'api', 'call.action.ts'), join(integrationsDir, 'api', 'call.action.ts'));
    cpSync(join(AUTH_MODE_FIXTURES, 'items.sync.ts'), join(integrationsDir, 'api', 'items.sync.ts'));
    harness = await startHarness({
      mcpAllowLocalServers: true,
      publicKey: PUBLIC_KEY,
      integrationsDir,
      syncTickMs: 100,
      yaml: `integrations:\n  api:\n    provider: mcp-generic\n    actions:\n      call:\n${ITEMS_SYNC_YAML}`,
      catalog: catalogOf({
        name: 'mcp-generic',
        auth_mode: 'MCP_OAUTH2_GENERIC',
        proxy: { base_url: '${connectionConfig.mcp_server_url}' },
      }),
    });
    api = harness.worker.httpUrl as string;
    app = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://app');
      if (url.pathname.startsWith('/official/')) {
        const file = normalize(join(OFFICIAL_DIST, url.pathname.slice('/official/'.length)));
        if (!file.startsWith(OFFICIAL_DIST)) return res.writeHead(404).end();
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(appPage(api));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await harness?.stop();
    await servers?.stop();
    if (integrationsDir) rmSync(integrationsDir, { recursive: true, force: true });
  });

  it('connects, then proxies, runs an action and a sync, and refreshes with the registered client', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.fill('#server', servers.urls.resource);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect')]);
    // oidc-provider's own login page, then its consent page.
    await popup.waitForSelector('input[name=login]', { timeout: 20_000 });
    await popup.screenshot({ path: join(SHOTS, 'login.png') });
    await popup.fill('input[name=login]', 'ann');
    await popup.fill('input[name=password]', 'any');
    await popup.click('button[type=submit]');
    await popup.waitForSelector('input[name=prompt][value=consent]', { state: 'attached', timeout: 20_000 });
    await popup.screenshot({ path: join(SHOTS, 'consent.png') });
    await popup.click('button[type=submit]');
    await page.waitForFunction(FLOW_ENDED, undefined, { timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'result.png') });
    expect(await page.textContent('#result')).toBe('OK api mcp-user');
    await page.close();

    const stored = await (await fetch(`${api}/connection/mcp-user?provider_config_key=api`)).json();
    const credentials = (stored as { credentials: Record<string, unknown> }).credentials;
    const registered = (await servers.state()).tokenRequests.at(-1);
    expect(registered).toMatchObject({ grant_type: 'authorization_code', auth_method: 'none', resource: servers.urls.resource });
    expect(credentials).toMatchObject({
      type: 'OAUTH2',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_at: expect.any(String),
      client_id: registered?.client_id,
      token_endpoint_auth_method: 'none',
      token_url: `${servers.urls.issuer}/token`,
      resource: servers.urls.resource,
      mcp_server_url: servers.urls.resource,
    });
    expect(credentials['client_secret']).toBeUndefined();

    // The proxy: the MCP server answers only a token its authorization server issued for it.
    const ids = { 'Connection-Id': 'mcp-user', 'Provider-Config-Key': 'api' };
    const proxied = await fetch(`${api}/proxy/tools?page=1`, { headers: ids });
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toEqual({
      ok: true,
      path: '/mcp/tools',
      query: '?page=1',
      sub: 'ann',
      client: registered?.client_id,
    });

    // An action of the integration's folder, over RabbitMQ.
    const acted = await harness.nango.triggerAction('api', 'call', 'mcp-user', { endpoint: '/resources' });
    expect(acted).toMatchObject({ success: true, returnValue: { status: 200 } });
    // The fixture returns the response as httpRequest gives it: the body as text, whatever its type.
    const body = JSON.parse((acted as { returnValue: { data: string } }).returnValue.data) as unknown;
    expect(body).toMatchObject({ ok: true, path: '/mcp/resources', sub: 'ann', client: registered?.client_id });

    // The sync of the new Connection, with its bearer token: the records are stored, and the MCP server answered them.
    const records = async (): Promise<unknown[]> => {
      const reply = await fetch(`${api}/records?model=Item`, { headers: ids });
      return ((await reply.json()) as { records: unknown[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the MCP server item');
    expect(await records()).toEqual([expect.objectContaining({ id: 'tool-1', name: 'search for ann' })]);
    expect((await servers.state()).itemReads).toEqual([
      { token: credentials['access_token'], sub: 'ann', client: registered?.client_id },
    ]);

    // A refresh through the generic refresher, with the registered client and the resource.
    const refreshed = await harness.nango.getToken('api', 'mcp-user', true);
    expect(refreshed).toMatchObject({ success: true });
    expect((refreshed as { returnValue: unknown }).returnValue).not.toBe(credentials['access_token']);
    expect((await servers.state()).tokenRequests.at(-1)).toEqual({
      grant_type: 'refresh_token',
      client_id: registered?.client_id,
      auth_method: 'none',
      resource: servers.urls.resource,
    });
    const after = await fetch(`${api}/proxy/tools`, { headers: ids });
    expect(after.status).toBe(200);
    const kept = await (await fetch(`${api}/connection/mcp-user?provider_config_key=api`)).json();
    expect((kept as { credentials: Record<string, unknown> }).credentials).toMatchObject({
      access_token: (refreshed as { returnValue: unknown }).returnValue,
      client_id: registered?.client_id,
      mcp_server_url: servers.urls.resource,
    });
  }, 90_000);

  it('shows a clear error in the app when the MCP server publishes no metadata', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.fill('#server', servers.urls.bare);
    await page.click('#connect');
    await page.waitForFunction(FLOW_ENDED, undefined, { timeout: 20_000 });
    expect(await page.textContent('#result')).toMatch(/^ERROR discovery_err: No OAuth metadata for this MCP server: GET /);
    await page.close();
  }, 60_000);
});
