import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Provider } from '../../src/providers/Provider';
import { startClientCredentialsMock, type ClientCredentialsMock } from '../authModes/clientCredentialsMock';
import { startTwoStepMock, USER } from '../authModes/twoStepMock';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { FLOW_ENDED, launchChromium } from '../helpers/chromium';

/** Screenshots of what the app page showed, to look at after a run. */
const SHOTS = join(tmpdir(), 'nango-token-modes');
const SECRET_KEY = 'token-modes-secret';
const PUBLIC_KEY = '7f3d2c1b-5a6e-4f80-9b1c-2d3e4f5a6b7c';
const CLIENT = { id: 'browser-client', secret: 'browser-client-secret' };
const WSSE = { username: 'browser_user', secret: 'browser-wsse-secret' };
const BILL = { username: 'ann@acme.test', password: 'bill-browser-password', organization_id: 'org-1', dev_key: 'dev-key-1' };
/** The official frontend 0.71.4's files (index.js imports its siblings), served by the app. */
const OFFICIAL_DIST = dirname(require.resolve('nango-frontend-0714/dist/index.js'));

/** The app's page: the official frontend with a public key, and a button per call a test makes it run. */
function appPage(apiUrl: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My app</title></head>
<body><h1>My app</h1><pre id="result">(nothing yet)</pre>
<script type="module">
import Nango from '/official/index.js';
const nango = new Nango({ host: '${apiUrl}', publicKey: '${PUBLIC_KEY}' });
window.run = (call) => {
  const result = document.getElementById('result');
  result.textContent = 'waiting…';
  call(nango).then((r) => { result.textContent = 'OK ' + JSON.stringify(r); })
    .catch((e) => { result.textContent = 'ERROR ' + JSON.stringify({ type: e.type, message: e.message }); });
};
</script></body></html>`;
}

/**
 * The official @nangohq/frontend 0.71.4, unchanged, in Chromium, making Connections of the modes that fetch or sign
 * with what the user types: auth() with `{ client_id, client_secret }` (OAUTH2_CC, POST /oauth2/auth), with `{ type:
 * 'SIGNATURE', username, password }` (POST /auth/signature), with Bill's four fields (POST /auth/bill) and with `{ type:
 * 'TWO_STEP', … }` (POST /auth/two-step). Each
 * Connection is then used through the proxy against a local provider.
 */
describe('the official frontend 0.71.4 makes OAUTH2_CC, SIGNATURE, BILL and TWO_STEP Connections', () => {
  let cc: ClientCredentialsMock;
  let provider: ApiServer;
  let twoStep: ApiServer & { issued: string[] };
  let api: ApiHarness;
  let app: Server;
  let appUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    cc = await startClientCredentialsMock();
    cc.clients.set(CLIENT.id, { secret: CLIENT.secret });
    twoStep = await startTwoStepMock({ expiresInS: 3600 });
    // Emarsys and Bill in one: a WSSE header naming the user, or Bill's login and then its session header.
    provider = await startApiServer((request) => {
      if (request.url === '/bill/connect/v3/login') {
        const body = JSON.parse(request.body || '{}') as Record<string, string>;
        const good = body['password'] === BILL.password && body['devKey'] === BILL.dev_key;
        return good ? { body: { sessionId: 'session-browser', userId: 'u-1' } } : { status: 401, body: [{ code: 'BDC_1109' }] };
      }
      if (request.url.startsWith('/bill/')) {
        return request.headers['sessionid'] === 'session-browser' ? { body: { ok: true } } : { status: 401, body: {} };
      }
      const wsse = String(request.headers['x-wsse'] ?? '');
      return wsse.startsWith(`UsernameToken Username="${WSSE.username}"`) ? { body: { ok: true } } : { status: 401, body: {} };
    });
    api = await startApi({
      secretKey: SECRET_KEY,
      publicKey: PUBLIC_KEY,
      yaml: `integrations:
  cc:
    provider: cc-local
  emarsys:
    provider: emarsys-local
  bill:
    provider: bill-local
  login:
    provider: login-local
`,
      catalog: catalogOf(
        {
          name: 'cc-local',
          auth_mode: 'OAUTH2_CC',
          token_url: `${cc.url}/oauth/token`,
          token_params: { grant_type: 'client_credentials' },
          proxy: { base_url: `${cc.url}/api` },
        } as Provider,
        {
          name: 'emarsys-local',
          auth_mode: 'SIGNATURE',
          proxy: { base_url: provider.url, headers: { 'x-wsse': '${accessToken}' }, verification: { endpoints: ['/settings'] } },
        } as Provider,
        {
          name: 'bill-local',
          auth_mode: 'BILL',
          token_url: `${provider.url}/bill/connect/v3/login`,
          proxy: { base_url: `${provider.url}/bill/connect` },
        } as Provider,
        {
          name: 'login-local',
          auth_mode: 'TWO_STEP',
          token_url: `${twoStep.url}/login`,
          body_format: 'json',
          token_params: { username: '${credentials.username}', password: '${credentials.password}' },
          token_headers: { 'content-type': 'application/json' },
          token_response: { token: 'data.token', token_expiration: 'data.expires_in', token_expiration_strategy: 'expireIn' },
          credentials: {
            username: { type: 'string', title: 'User' },
            password: { type: 'string', title: 'Password', secret: true },
          },
          proxy: { base_url: `${twoStep.url}/api` },
        } as unknown as Provider,
      ),
    });
    app = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://app');
      if (url.pathname.startsWith('/official/')) {
        const file = normalize(join(OFFICIAL_DIST, url.pathname.slice('/official/'.length)));
        if (!file.startsWith(OFFICIAL_DIST)) return res.writeHead(404).end();
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(appPage(api.url));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await api?.stop();
    await provider?.close();
    await twoStep?.close();
    await cc?.close();
  });

  /** Runs `call` (a function of the frontend's Nango instance, as text) in the app page and returns its result line. */
  async function inApp(call: string, shot: string): Promise<{ ok: boolean; value: Record<string, unknown> }> {
    const page: Page = await browser.newPage();
    await page.goto(appUrl);
    await page.waitForFunction('typeof window.run === "function"');
    await page.evaluate(`window.run(${call})`);
    await page.waitForFunction(FLOW_ENDED, undefined, { timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, `${shot}.png`) });
    const text = (await page.textContent('#result')) ?? '';
    await page.close();
    const ok = text.startsWith('OK ');
    return { ok, value: JSON.parse(text.slice(ok ? 3 : 6)) as Record<string, unknown> };
  }

  const proxy = (key: string, connectionId: string, path: string) =>
    api.call(`/proxy${path}`, { key: SECRET_KEY, headers: { 'Connection-Id': connectionId, 'Provider-Config-Key': key } });

  it('OAUTH2_CC: auth() with { client_id, client_secret } fetches the token; the proxy call carries it', async () => {
    const result = await inApp(
      `(nango) => nango.auth('cc', 'cc-user', { credentials: { client_id: '${CLIENT.id}', client_secret: '${CLIENT.secret}' } })`,
      'oauth2-cc',
    );
    expect(result).toEqual({ ok: true, value: { connectionId: 'cc-user', providerConfigKey: 'cc' } });
    expect((await proxy('cc', 'cc-user', '/reports')).status).toBe(200);
    expect(cc.refusals).toEqual([]);
  }, 60_000);

  it('OAUTH2_CC: a client the provider refuses is an AuthError quoting it, and nothing is stored', async () => {
    const result = await inApp(
      `(nango) => nango.auth('cc', 'cc-bad', { credentials: { client_id: '${CLIENT.id}', client_secret: 'wrong' } })`,
      'oauth2-cc-refused',
    );
    expect(result.ok).toBe(false);
    expect(result.value['type']).toBe('invalid_credentials');
    expect(String(result.value['message'])).toContain('HTTP 401 invalid_client');
    expect(await (await api.store()).get('cc', 'cc-bad')).toBeUndefined();
    cc.refusals.length = 0;
  }, 60_000);

  it("SIGNATURE: auth() with { type: 'SIGNATURE', username, password }; the proxy call carries a WSSE header", async () => {
    const result = await inApp(
      `(nango) => nango.auth('emarsys', 'wsse-user', { credentials: { type: 'SIGNATURE', username: '${WSSE.username}', password: '${WSSE.secret}' } })`,
      'signature',
    );
    expect(result).toEqual({ ok: true, value: { connectionId: 'wsse-user', providerConfigKey: 'emarsys' } });
    expect((await proxy('emarsys', 'wsse-user', '/api/v2/contact')).status).toBe(200);
  }, 60_000);

  it("BILL: auth() with Bill's four fields opens a session; the proxy call carries it", async () => {
    const credentials = JSON.stringify(BILL);
    const result = await inApp(`(nango) => nango.auth('bill', 'bill-user', { credentials: ${credentials} })`, 'bill');
    expect(result).toEqual({ ok: true, value: { connectionId: 'bill-user', providerConfigKey: 'bill' } });
    expect((await proxy('bill', 'bill-user', '/v3/vendors')).status).toBe(200);
  }, 60_000);

  it("TWO_STEP: auth() with { type: 'TWO_STEP', … } logs in with the user's fields; the proxy call carries the token", async () => {
    const credentials = JSON.stringify({ type: 'TWO_STEP', ...USER });
    const result = await inApp(`(nango) => nango.auth('login', 'ts-user', { credentials: ${credentials} })`, 'two-step');
    expect(result).toEqual({ ok: true, value: { connectionId: 'ts-user', providerConfigKey: 'login' } });
    expect(twoStep.issued).toHaveLength(1);
    expect((await proxy('login', 'ts-user', '/items')).status).toBe(200);
  }, 60_000);

  it('TWO_STEP: a login the provider refuses is an AuthError, and nothing is stored', async () => {
    const credentials = JSON.stringify({ type: 'TWO_STEP', username: USER.username, password: 'not-the-password' });
    const result = await inApp(`(nango) => nango.auth('login', 'ts-bad', { credentials: ${credentials} })`, 'two-step-refused');
    expect(result.ok).toBe(false);
    expect(result.value['type']).toBe('invalid_credentials');
    expect(String(result.value['message'])).not.toContain('not-the-password');
    expect(await (await api.store()).get('login', 'ts-bad')).toBeUndefined();
  }, 60_000);
});
