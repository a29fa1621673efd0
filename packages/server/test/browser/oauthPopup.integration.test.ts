import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { FLOW_ENDED, launchChromium } from '../helpers/chromium';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';

/** Screenshots go here, to look at after a run. */
const OUTPUT = join(__dirname, '..', '..', '..', '..', 'test-output', 'browser');

/** The app's page: imports our frontend from the Nango server itself and starts a flow on a click. */
function appPage(apiUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>My app</title></head>
<body style="font-family:sans-serif;margin:2rem">
<h1>My app</h1>
<label>Connection id <input id="connection" value="user-1"></label>
<button id="connect">Connect the mock provider</button>
<pre id="result">(no flow yet)</pre>
<script type="module">
import Nango from '${apiUrl}/sdk/frontend.js';
const nango = new Nango('${apiUrl}');
document.getElementById('connect').addEventListener('click', () => {
  const result = document.getElementById('result');
  result.textContent = 'waiting…';
  nango
    .auth('mock', document.getElementById('connection').value)
    .then((r) => { result.textContent = 'OK ' + r.providerConfigKey + ' ' + r.connectionId; })
    .catch((e) => { result.textContent = 'ERROR ' + e.providerConfigKey + ' ' + e.connectionId + ' ' + e.error.type + ': ' + e.error.message; });
});
</script>
</body></html>`;
}

describe('the OAuth popup in a real browser', () => {
  let auth: AuthServer;
  let api: ApiHarness;
  let app: Server;
  let appUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    auth = await AuthServer.start();
    api = await startApi({
      catalog: catalogOf({
        name: 'mock',
        auth_mode: 'OAUTH2',
        authorization_url: `${auth.url}/consent`,
        token_url: auth.tokenUrl,
      }),
    });
    const created = await api.call('/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'mock',
        provider: 'mock',
        oauth_client_id: CLIENT_ID,
        oauth_client_secret: CLIENT_SECRET,
        oauth_scopes: 'read',
      }),
    });
    expect(created.status).toBe(200);
    app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(appPage(api.url)));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await api?.stop();
    await auth?.stop();
  });

  /** Clicks Connect as `connectionId`, then `choice` on the provider's consent page; returns the app page. */
  async function runFlow(connectionId: string, choice: 'allow' | 'deny', shot: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.fill('#connection', connectionId);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect')]);
    await popup.waitForSelector(`#${choice}`);
    await popup.screenshot({ path: join(OUTPUT, `${shot}-consent.png`) });
    await popup.click(`#${choice}`);
    await page.waitForFunction(FLOW_ENDED, undefined, { timeout: 20_000 });
    await page.screenshot({ path: join(OUTPUT, `${shot}-result.png`) });
    return page;
  }

  it('imports the frontend from the server, goes through consent in the popup, and shows the resolved result', async () => {
    const page = await runFlow('user-1', 'allow', 'success');
    expect(await page.textContent('#result')).toBe('OK mock user-1');
    const got = await api.call('/connection/user-1?provider_config_key=mock');
    expect(got.body.credentials).toMatchObject({ type: 'OAUTH2', access_token: expect.any(String) });
    await page.close();
  }, 60_000);

  it('shows the error type when the user denies access', async () => {
    const page = await runFlow('user-2', 'deny', 'denial');
    expect(await page.textContent('#result')).toBe(
      'ERROR mock user-2 callback_err: The provider answered access_denied: The user denied access',
    );
    expect((await api.call('/connection/user-2?provider_config_key=mock')).status).toBe(404);
    await page.close();
  }, 60_000);

  it('rejects with authorization_cancelled when the user closes the popup', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.fill('#connection', 'user-3');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect')]);
    await popup.waitForSelector('#allow');
    await popup.close();
    await page.waitForFunction(FLOW_ENDED, undefined, { timeout: 20_000 });
    expect(await page.textContent('#result')).toMatch(/^ERROR mock user-3 authorization_cancelled: /);
    await page.close();
  }, 60_000);
});
