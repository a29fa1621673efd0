import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import type { Provider } from '../../src/providers/Provider';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import { APP_ID, APP_KEY, LocalGitHub, OAUTH_CLIENT } from '../authModes/githubMock';
import { LocalApi, type LocalAnswer } from '../authModes/localApi';
import { readNangoCatalog } from '../catalog/nangoCatalog';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { FLOW_ENDED, launchChromium } from '../helpers/chromium';

/** Screenshots of what the app page (and the install popup) showed, to look at after a run. */
const SHOTS = join(tmpdir(), 'nango-app-modes');
const SECRET_KEY = 'app-modes-secret';
const PUBLIC_KEY = '5c1e7a3b-2d4f-4e6a-8b9c-0d1e2f3a4b5c';
const GHOST = { id: '0123456789abcdef01234567', secret: randomBytes(32).toString('hex') };
/** The official frontend 0.71.4's files (index.js imports its siblings), served by the app. */
const OFFICIAL_DIST = dirname(require.resolve('nango-frontend-0714/dist/index.js'));

/** A GitHub App with OAuth entry, read by the catalog loader as a user's providers.yaml would be (token_url per step). */
function customEntry(githubUrl: string): Provider {
  const dir = mkdtempSync(join(tmpdir(), 'nango-app-modes-'));
  const file = join(dir, 'providers.yaml');
  writeFileSync(
    file,
    `github-app-oauth-local:
  auth_mode: CUSTOM
  authorization_url: \${connectionConfig.appPublicLink}/installations/new
  token_url:
    APP: ${githubUrl}/app/installations/\${connectionConfig.installation_id}/access_tokens
    OAUTH2: ${githubUrl}/login/oauth/access_token
  proxy:
    base_url: ${githubUrl}
`,
  );
  const entry = loadProviderCatalog({ file }).get('github-app-oauth-local');
  rmSync(dir, { recursive: true, force: true });
  if (!entry) throw new Error('the CUSTOM entry did not load');
  return entry;
}

/** The app's page: the official frontend with a public key, and a result line for the call a test makes it run. */
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
 * The official @nangohq/frontend 0.71.4, unchanged, in Chromium, making Connections of the modes whose credentials
 * the server signs or GitHub issues: auth() with `{ type: 'JWT', privateKey }` (Ghost's catalog entry as published,
 * POST /auth/jwt), and auth() without credentials for a GitHub App (APP) and a GitHub App with OAuth (CUSTOM), whose
 * popup goes to the app's install page (the local GitHub), which sends it back to this server with the installation
 * id and state; the frontend's promise resolves and the Connection's token works through the proxy.
 */
describe('the official frontend 0.71.4 makes JWT, APP and CUSTOM Connections', () => {
  const github = new LocalGitHub();
  let ghost: LocalApi;
  let api: ApiHarness;
  let app: Server;
  let appUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await github.api.start();
    // Ghost's Admin API: a JWT signed with the secret half of the admin key, its id as `kid`, 'Ghost <jwt>'.
    ghost = await new LocalApi(async (request, self): Promise<LocalAnswer> => {
      const token = /^Ghost (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
      if (!token) return self.refuse('no Ghost token');
      try {
        const { protectedHeader } = await jwtVerify(token, Buffer.from(GHOST.secret, 'hex'), { audience: '/admin/' });
        if (protectedHeader.kid !== GHOST.id) return self.refuse('kid');
      } catch (error) {
        return self.refuse((error as Error).message);
      }
      return { status: 200, body: { path: request.url.pathname } };
    }).start();
    const ghostEntry = readNangoCatalog()['ghost-admin'] as Record<string, unknown> & { proxy: Record<string, unknown> };
    process.env['GITHUB_APP_KEY'] = APP_KEY; // integrations.yaml reads it, as a deployment would
    api = await startApi({
      secretKey: SECRET_KEY,
      publicKey: PUBLIC_KEY,
      yaml: `integrations:
  ghost:
    provider: ghost-local
  gh-app:
    provider: github-app-local
    oauth:
      client_id: "${APP_ID}"
      client_secret: \${GITHUB_APP_KEY}
      app_link: ${github.api.url}/apps/acme-app
  gh-custom:
    provider: github-app-oauth-local
    oauth:
      client_id: ${OAUTH_CLIENT.id}
      client_secret: ${OAUTH_CLIENT.secret}
      app_id: "${APP_ID}"
      app_private_key: \${GITHUB_APP_KEY}
      app_link: ${github.api.url}/apps/acme-app
`,
      catalog: catalogOf(
        {
          ...ghostEntry,
          name: 'ghost-local',
          proxy: { ...ghostEntry.proxy, base_url: `${ghost.url}/ghost` },
        } as unknown as Provider,
        {
          name: 'github-app-local',
          auth_mode: 'APP',
          authorization_url: '${connectionConfig.appPublicLink}/installations/new',
          token_url: `${github.api.url}/app/installations/\${connectionConfig.installation_id}/access_tokens`,
          proxy: { base_url: github.api.url },
        } as Provider,
        customEntry(github.api.url),
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
    await ghost?.stop();
    await github.api.stop();
    delete process.env['GITHUB_APP_KEY'];
  });

  /** Runs `call` (a function of the frontend's Nango instance, as text) in the app page and returns its result line. */
  async function inApp(call: string, shot: string, withPopup = false): Promise<{ ok: boolean; value: Record<string, unknown> }> {
    const page: Page = await browser.newPage();
    await page.goto(appUrl);
    await page.waitForFunction('typeof window.run === "function"');
    const popup = withPopup ? page.waitForEvent('popup', { timeout: 10_000 }) : Promise.resolve(undefined);
    await page.evaluate(`window.run(${call})`);
    await page.waitForFunction(FLOW_ENDED, undefined, { timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, `${shot}.png`) });
    const opened = await popup;
    if (opened && !opened.isClosed()) await opened.screenshot({ path: join(SHOTS, `${shot}-popup.png`) }).catch(() => undefined);
    const text = (await page.textContent('#result')) ?? '';
    await page.close();
    const ok = text.startsWith('OK ');
    return { ok, value: JSON.parse(text.slice(ok ? 3 : 6)) as Record<string, unknown> };
  }

  const proxy = (key: string, connectionId: string, path: string) =>
    api.call(`/proxy${path}`, { key: SECRET_KEY, headers: { 'Connection-Id': connectionId, 'Provider-Config-Key': key } });

  it("JWT: auth() with { type: 'JWT', privateKey } signs a token from the admin key; the proxy call carries it", async () => {
    const options = JSON.stringify({
      credentials: { type: 'JWT', privateKey: `${GHOST.id}:${GHOST.secret}` },
      params: { adminDomain: 'blog.example.com', version: 'v5.0' },
    });
    const result = await inApp(`(nango) => nango.auth('ghost', 'ghost-user', ${options})`, 'jwt');
    expect(result).toEqual({ ok: true, value: { connectionId: 'ghost-user', providerConfigKey: 'ghost' } });
    expect((await proxy('ghost', 'ghost-user', '/posts')).status).toBe(200);
    expect(ghost.refusals).toEqual([]);
  }, 60_000);

  it('JWT: an admin key the server cannot sign with is an AuthError naming it, and nothing is stored', async () => {
    const options = JSON.stringify({
      credentials: { type: 'JWT', privateKey: 'no-colon-here' },
      params: { adminDomain: 'blog.example.com', version: 'v5.0' },
    });
    const result = await inApp(`(nango) => nango.auth('ghost', 'ghost-bad', ${options})`, 'jwt-refused');
    expect(result.ok).toBe(false);
    expect(result.value['type']).toBe('invalid_credentials');
    expect(String(result.value['message'])).not.toContain('no-colon-here');
    expect(await (await api.store()).get('ghost', 'ghost-bad')).toBeUndefined();
  }, 60_000);

  it("APP: auth() opens GitHub's install page in the popup; its redirect makes the Connection and the promise resolves", async () => {
    github.setupUrl = `${api.url}/app-auth/connect`;
    github.installs = '42';
    github.installingUser = '';
    const result = await inApp(`(nango) => nango.auth('gh-app', 'app-user')`, 'app', true);
    expect(result).toEqual({ ok: true, value: { connectionId: 'app-user', providerConfigKey: 'gh-app', isPending: false } });
    const stored = await (await api.store()).get('gh-app', 'app-user');
    expect(stored?.additionalConfig).toMatchObject({ installation_id: '42' });
    const proxied = await proxy('gh-app', 'app-user', '/installation/repositories');
    expect(proxied.status).toBe(200);
    expect(github.api.refusals).toEqual([]);
  }, 60_000);

  it('APP: an installation the app cannot use rejects the promise, and nothing is stored', async () => {
    github.setupUrl = `${api.url}/app-auth/connect`;
    github.installs = '99';
    const result = await inApp(`(nango) => nango.auth('gh-app', 'app-bad')`, 'app-refused', true);
    expect(result.ok).toBe(false);
    expect(result.value['type']).toBe('token_err');
    expect(String(result.value['message'])).toContain('HTTP 404');
    expect(await (await api.store()).get('gh-app', 'app-bad')).toBeUndefined();
  }, 60_000);

  it("CUSTOM: the popup installs and authorises; the user's token vouches for the installation and the promise resolves", async () => {
    github.setupUrl = `${api.url}/oauth/callback`;
    github.installs = '43';
    github.installingUser = 'ann';
    const result = await inApp(`(nango) => nango.auth('gh-custom', 'custom-user')`, 'custom', true);
    expect(result).toEqual({
      ok: true,
      value: { connectionId: 'custom-user', providerConfigKey: 'gh-custom', isPending: false },
    });
    expect((await proxy('gh-custom', 'custom-user', '/installation/repositories')).status).toBe(200);
    expect(github.api.refusals).toEqual([]);
  }, 60_000);
});
