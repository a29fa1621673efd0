import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { launchChromium } from '../helpers/chromium';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';

// The official @nangohq/node 0.71.4, unchanged (its CommonJS build), as the app's backend.
const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    createConnectSession(body: unknown): Promise<{ data: { token: string; connect_link: string } }>;
  };
};

/** Screenshots of every state the tests reach, to look at after a run. */
const SHOTS = join(tmpdir(), 'nango-connect-page');
const SECRET_KEY = 'connect-page-secret';
const GOOD_KEY = 'right-key-123';
/** The official frontend 0.71.4's files (index.js imports its siblings), served by the app. */
const OFFICIAL_DIST = dirname(require.resolve('nango-frontend-0714/dist/index.js'));

/** The app's page: our frontend from the Nango server, or the official 0.71.4, with a session token. */
function appPage(apiUrl: string, sdk: 'ours' | 'official', token: string): string {
  const from = sdk === 'ours' ? `${apiUrl}/sdk/frontend.js` : '/official/index.js';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My app</title></head>
<body><h1>My app</h1><button id="ui">Open Connect UI</button><button id="auth">auth()</button><pre id="result">(nothing yet)</pre>
<script type="module">
import Nango from '${from}';
window.events = [];
const nango = new Nango({ host: '${apiUrl}', connectSessionToken: '${token}' });
document.getElementById('ui').addEventListener('click', () => {
  nango.openConnectUI({ onEvent: (event) => window.events.push(event) });
});
document.getElementById('auth').addEventListener('click', () => {
  const result = document.getElementById('result');
  result.textContent = 'waiting…';
  nango.auth('mock').then((r) => { result.textContent = 'OK ' + JSON.stringify(r); })
    .catch((e) => { result.textContent = 'ERROR ' + JSON.stringify(e); });
});
</script></body></html>`;
}

describe('the Connect page in a real browser', () => {
  let auth: AuthServer;
  let provider: ApiServer;
  let api: ApiHarness;
  let app: Server;
  let appUrl: string;
  let browser: Browser;
  let nango: InstanceType<typeof Nango>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    auth = await AuthServer.start();
    provider = await startApiServer((request) =>
      request.headers['x-api-key'] === GOOD_KEY ? { body: { me: 'ok' } } : { status: 401, body: { error: 'bad key' } },
    );
    api = await startApi({
      secretKey: SECRET_KEY,
      yaml: 'integrations:\n  keyed:\n    provider: keyed\n',
      catalog: catalogOf(
        {
          name: 'mock',
          display_name: 'Mock OAuth',
          auth_mode: 'OAUTH2',
          authorization_url: `${auth.url}/consent`,
          token_url: auth.tokenUrl,
        },
        {
          name: 'keyed',
          display_name: 'Keyed API',
          auth_mode: 'API_KEY',
          proxy: { base_url: provider.url, headers: { 'X-API-Key': '${apiKey}' }, verification: { endpoints: ['/me'] } },
        } as Provider,
      ),
    });
    const created = await api.call('/config', {
      method: 'POST',
      key: SECRET_KEY,
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
    nango = new Nango({ host: api.url, secretKey: SECRET_KEY });
    app = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://app');
      if (url.pathname.startsWith('/official/')) {
        const file = normalize(join(OFFICIAL_DIST, url.pathname.slice('/official/'.length)));
        if (!file.startsWith(OFFICIAL_DIST)) return res.writeHead(404).end();
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
      }
      const sdk = url.searchParams.get('sdk') === 'official' ? 'official' : 'ours';
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(appPage(api.url, sdk, url.searchParams.get('token') ?? ''));
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
    await auth?.stop();
  });

  async function session(tags: Record<string, string>): Promise<{ token: string; connect_link: string }> {
    const created = await nango.createConnectSession({
      end_user: { id: 'eu-7', email: 'ann@example.test', display_name: 'Ann Example' },
      organization: { id: 'org-7', display_name: 'Acme' },
      tags,
      allowed_integrations: ['mock', 'keyed'],
    });
    return created.data;
  }

  /** Moves focus with Tab until the focused element's accessible label starts with `label`, as a keyboard user. */
  async function tabTo(page: Page, label: string): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate('document.activeElement && document.activeElement.getAttribute("aria-label")');
      if (typeof focused === 'string' && focused.startsWith(label)) return;
    }
    throw new Error(`Tab never reached ${label}`);
  }

  async function connectionsOf(integration: string, tag: string) {
    const connections = await api.store();
    return (await connections.search({ integrations: [integration], tags: { run: tag } })).map((c) => ({
      userId: c.userId,
      endUser: c.endUser,
      tags: c.tags,
    }));
  }

  it('lists the integrations and runs the OAuth flow, keyboard only, giving the Connection the end user and tags', async () => {
    const { connect_link: link } = await session({ run: 'oauth' });
    const page = await browser.newPage();
    await page.goto(link);
    await page.waitForSelector('#integrations button');
    expect(await page.textContent('#who')).toBe('For Ann Example at Acme');
    await page.screenshot({ path: join(SHOTS, 'list.png') });
    await tabTo(page, 'Connect Mock OAuth');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.keyboard.press('Enter')]);
    await popup.waitForSelector('#allow');
    await popup.click('#allow');
    await page.waitForSelector('#done:not([hidden])', { timeout: 20_000 });
    expect(await page.textContent('#done-title')).toBe('Mock OAuth is connected.');
    expect(await page.isVisible('#integrations')).toBe(false);
    expect(await page.evaluate('document.activeElement.id')).toBe('done-title');
    await page.screenshot({ path: join(SHOTS, 'oauth-connected.png') });
    const made = await connectionsOf('mock', 'oauth');
    expect(made).toEqual([
      {
        userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        endUser: {
          id: 'eu-7',
          email: 'ann@example.test',
          displayName: 'Ann Example',
          organization: { id: 'org-7', displayName: 'Acme' },
        },
        tags: { run: 'oauth' },
      },
    ]);
    await page.close();
  }, 60_000);

  it('says so clearly when the user denies consent, and makes nothing', async () => {
    const { connect_link: link } = await session({ run: 'denied' });
    const page = await browser.newPage();
    await page.goto(link);
    await page.waitForSelector('#integrations button');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('button[data-key="mock"]')]);
    await popup.waitForSelector('#deny');
    await popup.click('#deny');
    await page.waitForSelector('#status.error', { timeout: 20_000 });
    expect(await page.textContent('#status')).toBe(
      'You declined access at Mock OAuth, so nothing was connected. You can try again.',
    );
    await page.screenshot({ path: join(SHOTS, 'oauth-denied.png') });
    expect(await connectionsOf('mock', 'denied')).toEqual([]);
    await page.close();
  }, 60_000);

  it('refuses a wrong API key with a clear error, then accepts the right one', async () => {
    const { connect_link: link } = await session({ run: 'key' });
    const page = await browser.newPage();
    await page.goto(link);
    await page.waitForSelector('#integrations button');
    await page.click('button[data-key="keyed"]');
    expect(await page.evaluate('document.activeElement.id')).toBe('api-key');
    expect(await page.isVisible('#integrations')).toBe(false);
    await page.keyboard.press('Enter');
    expect(await page.textContent('#form-error')).toBe('Fill in every field, then try again.');
    await page.keyboard.type('wrong-key');
    await page.keyboard.press('Enter');
    // A locator, not waitForFunction: the page's CSP forbids the string evaluation that polls.
    await page.locator('#form-error', { hasText: 'refused' }).waitFor();
    expect(await page.textContent('#form-error')).toBe('Keyed API refused these credentials. Check them and try again.');
    expect(await page.getAttribute('#api-key', 'aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('api-key');
    await page.screenshot({ path: join(SHOTS, 'apikey-wrong.png') });
    await page.fill('#api-key', GOOD_KEY);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#done:not([hidden])');
    expect(await page.textContent('#done-title')).toBe('Keyed API is connected.');
    await page.screenshot({ path: join(SHOTS, 'apikey-connected.png') });
    const made = await connectionsOf('keyed', 'key');
    expect(made).toHaveLength(1);
    expect(made[0]?.endUser?.id).toBe('eu-7');
    expect(JSON.stringify(await page.content())).not.toContain(GOOD_KEY);
    await page.close();
  }, 60_000);

  it('shows an expired (or ended) session as such', async () => {
    const { token, connect_link: link } = await session({ run: 'expired' });
    expect((await api.call('/connect/session', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(
      204,
    );
    const page = await browser.newPage();
    await page.goto(link);
    await page.waitForSelector('#status.error');
    expect(await page.textContent('h1')).toBe('This link has expired');
    expect(await page.textContent('#status')).toBe(
      'This connect link has expired or is no longer valid. Go back to the app and start again.',
    );
    expect(await page.isHidden('#integrations')).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'expired.png') });
    await page.close();
  }, 60_000);

  it('opens from a host page with openConnectUI: token by postMessage, connect and close events, iframe removed', async () => {
    const { token } = await session({ run: 'ui' });
    const page = await browser.newPage();
    await page.goto(`${appUrl}?sdk=ours&token=${token}`);
    await page.click('#ui');
    const frame = page.frameLocator('#connect-ui');
    // Keyboard, not clicks: Playwright's hit test does not settle in a cross-origin iframe in headless Chromium.
    await frame.locator('button[data-key="keyed"]').press('Enter');
    await frame.locator('#api-key').fill(GOOD_KEY);
    await frame.locator('#submit').press('Enter');
    await frame.locator('#done:not([hidden])').waitFor();
    await page.screenshot({ path: join(SHOTS, 'connect-ui-iframe.png') });
    // The page removes the iframe as it closes: a key press would wait for a frame that is gone.
    await frame.locator('#close').dispatchEvent('click');
    await page.waitForSelector('#connect-ui', { state: 'detached' });
    const events = (await page.evaluate('window.events')) as { type: string; payload?: { connectionId?: string } }[];
    expect(events.map((event) => event.type)).toEqual(['ready', 'connect', 'close']);
    const made = await connectionsOf('keyed', 'ui');
    expect(events[1]).toEqual({
      type: 'connect',
      payload: { providerConfigKey: 'keyed', connectionId: made[0]?.userId, isPending: false },
    });
    await page.close();
  }, 60_000);

  it('lets the official frontend 0.71.4 auth() with connectSessionToken make a Connection with the end user and tags', async () => {
    const { token } = await session({ run: 'official' });
    const page = await browser.newPage();
    await page.goto(`${appUrl}?sdk=official&token=${token}`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#auth')]);
    await popup.waitForSelector('#allow');
    await popup.click('#allow');
    await page.waitForFunction("!document.getElementById('result').textContent.startsWith('waiting')", undefined, {
      timeout: 20_000,
    });
    const result = (await page.textContent('#result')) ?? '';
    expect(result.startsWith('OK ')).toBe(true);
    const made = await connectionsOf('mock', 'official');
    expect(JSON.parse(result.slice(3))).toEqual({ providerConfigKey: 'mock', connectionId: made[0]?.userId, isPending: false });
    expect(made[0]).toMatchObject({ endUser: { id: 'eu-7' }, tags: { run: 'official' } });
    await page.close();
  }, 60_000);

  it('lets our frontend auth() with connectSessionToken make a Connection with a generated id', async () => {
    const { token } = await session({ run: 'ours' });
    const page = await browser.newPage();
    await page.goto(`${appUrl}?sdk=ours&token=${token}`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#auth')]);
    await popup.waitForSelector('#allow');
    await popup.click('#allow');
    await page.waitForFunction("!document.getElementById('result').textContent.startsWith('waiting')", undefined, {
      timeout: 20_000,
    });
    const made = await connectionsOf('mock', 'ours');
    expect(made).toHaveLength(1);
    expect(await page.textContent('#result')).toBe(
      `OK ${JSON.stringify({ providerConfigKey: 'mock', connectionId: made[0]?.userId, isPending: false })}`,
    );
    await page.close();
  }, 60_000);

  it("also runs under the official frontend 0.71.4's openConnectUI pointed at this server", async () => {
    const { token } = await session({ run: 'official-ui' });
    const page = await browser.newPage();
    await page.goto(`${appUrl}?sdk=official&token=${token}`);
    await page.evaluate(`import('/official/index.js').then(({ default: Nango }) => {
      window.events = [];
      new Nango({ connectSessionToken: '${token}' }).openConnectUI({
        baseURL: '${api.url}/connect', apiURL: '${api.url}', onEvent: (e) => window.events.push(e),
      });
    })`);
    const frame = page.frameLocator('#connect-ui');
    await frame.locator('button[data-key="keyed"]').press('Enter');
    await frame.locator('#api-key').fill(GOOD_KEY);
    await frame.locator('#api-key').press('Enter');
    await frame.locator('#done:not([hidden])').waitFor();
    await frame.locator('#close').dispatchEvent('click');
    await page.waitForSelector('#connect-ui', { state: 'detached' });
    const events = (await page.evaluate('window.events')) as { type: string }[];
    expect(events.map((event) => event.type)).toEqual(['ready', 'connect', 'close']);
    expect(await connectionsOf('keyed', 'official-ui')).toHaveLength(1);
    await page.close();
  }, 60_000);
});
