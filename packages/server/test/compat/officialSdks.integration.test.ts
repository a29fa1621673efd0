import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { FLOW_ENDED, launchChromium } from '../helpers/chromium';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';

const run = promisify(execFile);
const OUTPUT = join(__dirname, '..', '..', '..', '..', 'test-output', 'compat');
const SECRET_KEY = 'compat-secret-key';

/** The official frontends under test (npm aliases in the root package.json), by the path the app serves them at. */
const FRONTENDS: Record<string, string> = {
  '080': require.resolve('nango-frontend-080/dist/index.js'),
  '0173': require.resolve('nango-frontend-0173/dist/index.js'),
};

/** An app page that imports one official frontend, unchanged, and shows what auth() settled with. */
function appPage(apiUrl: string, sdk: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>official frontend ${sdk}</title></head>
<body><button id="connect">Connect</button><input id="connection" value=""><pre id="result">(no flow yet)</pre>
<script type="module">
import Nango from '/sdk/${sdk}.js';
const nango = new Nango({ host: '${apiUrl}' });
document.getElementById('connect').addEventListener('click', () => {
  const result = document.getElementById('result');
  result.textContent = 'waiting…';
  nango.auth('mock', document.getElementById('connection').value)
    .then((r) => { result.textContent = 'OK ' + JSON.stringify(r); })
    .catch((e) => { result.textContent = 'ERROR ' + JSON.stringify(e); });
});
</script></body></html>`;
}

describe('the official SDKs, unchanged, against our server', () => {
  let auth: AuthServer;
  let api: ApiHarness;
  let app: Server;
  let appUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    auth = await AuthServer.start();
    api = await startApi({
      secretKey: SECRET_KEY,
      catalog: catalogOf({
        name: 'mock',
        auth_mode: 'OAUTH2',
        authorization_url: `${auth.url}/consent`,
        token_url: auth.tokenUrl,
      }),
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
    app = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://app');
      const sdk = /^\/sdk\/(\w+)\.js$/.exec(url.pathname)?.[1];
      if (sdk && FRONTENDS[sdk]) {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(FRONTENDS[sdk] as string));
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(appPage(api.url, url.searchParams.get('sdk') ?? '080'));
      }
    });
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

  async function flow(sdk: string, connectionId: string, choice: 'allow' | 'deny'): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.goto(`${appUrl}?sdk=${sdk}`);
      await page.fill('#connection', connectionId);
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect')]);
      await popup.waitForSelector(`#${choice}`, { timeout: 20_000 });
      await popup.click(`#${choice}`);
      await page.waitForFunction(FLOW_ENDED, undefined, { timeout: 20_000 });
      await page.screenshot({ path: join(OUTPUT, `frontend-${sdk}-${choice}.png`) });
      return (await page.textContent('#result')) ?? '';
    } finally {
      await page.close();
    }
  }

  it('@nangohq/frontend 0.8.0 (popup + postMessage) completes the flow and reads a denial as spec 3 does', async () => {
    expect(await flow('080', 'user-080', 'allow')).toBe(
      `OK ${JSON.stringify({ providerConfigKey: 'mock', connectionId: 'user-080' })}`,
    );
    const denied = JSON.parse((await flow('080', 'user-080-denied', 'deny')).slice('ERROR '.length)) as Record<string, unknown>;
    expect(denied).toEqual({
      providerConfigKey: 'mock',
      connectionId: 'user-080-denied',
      error: { type: 'callback_err', message: 'The provider answered access_denied: The user denied access' },
    });
  }, 60_000);

  it('@nangohq/frontend 0.17.3 (WebSocket) completes the flow and gets the error frame on denial', async () => {
    expect(await flow('0173', 'user-0173', 'allow')).toBe(
      `OK ${JSON.stringify({ providerConfigKey: 'mock', connectionId: 'user-0173' })}`,
    );
    const denied = JSON.parse((await flow('0173', 'user-0173-denied', 'deny')).slice('ERROR '.length)) as Record<string, unknown>;
    expect(denied).toEqual({ type: 'callback_err', message: 'The provider answered access_denied: The user denied access' });
  }, 60_000);

  it.each(['nango-node-090', 'nango-node-0176'])(
    '%s reads tokens with the secret key as Basic, unchanged',
    async (alias) => {
      // Made by the frontend tests above; if they failed, this fails too, with their Connection missing.
      const stored = await api.call('/connection/user-080?provider_config_key=mock', { key: SECRET_KEY });
      expect(stored.status).toBe(200);
      const { stdout } = await run(
        process.execPath,
        [join(__dirname, 'nodeSdk.mjs'), alias, api.url, SECRET_KEY, 'mock', 'user-080'],
        {
          cwd: __dirname,
          timeout: 30_000,
        },
      );
      const outcome = JSON.parse(stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(outcome['token']).toBe(stored.body.credentials.access_token);
      expect(outcome['raw']).toMatchObject({ access_token: stored.body.credentials.access_token, token_type: 'Bearer' });
      expect(outcome['connection']).toMatchObject({
        provider_config_key: 'mock',
        connection_id: 'user-080',
        credentials: { type: 'OAUTH2' },
      });
      expect(outcome['list'].connections).toEqual(
        expect.arrayContaining([expect.objectContaining({ connection_id: 'user-080', provider: 'mock' })]),
      );
      expect(outcome['missing']).toMatchObject({ thrown: { status: 404, data: { error: { code: 'connection_not_found' } } } });
    },
    60_000,
  );

  it('refuses the node SDK without the secret key', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(__dirname, 'nodeSdk.mjs'), 'nango-node-090', api.url, '', 'mock', 'user-080'],
      {
        cwd: __dirname,
        timeout: 30_000,
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ token: { thrown: { status: 401, data: { error: { code: 'unauthorized' } } } } });
  }, 60_000);
});
