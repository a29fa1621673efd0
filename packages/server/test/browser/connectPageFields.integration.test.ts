import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { connectFormOf } from '../../src/api/routes/connect/connectForm';
import { checkConnectionConfig } from '../../src/operations/checkConnectionConfig';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { launchChromium } from '../helpers/chromium';

const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    createConnectSession(body: unknown): Promise<{ data: { token: string; connect_link: string } }>;
  };
};

/** Screenshots of the states the tests reach, to look at after a run. */
const SHOTS = join(tmpdir(), 'nango-connect-page-fields');
const SECRET_KEY = 'connect-fields-secret';
const GOOD_TOKEN = 'tok_abcd1234';
/** Well formed, but the provider refuses it. */
const REFUSED_TOKEN = 'tok_deadbeef';
const DOCS = 'https://docs.example.test/deskhub/connect';
/** The OAuth client integration `cchub` holds: its Connections may use it. */
const CC_CLIENT = { id: 'platform-client', secret: 'platform-secret-value' };

/**
 * The provider side: a Zendesk-like OAuth provider with the tenant in the path (`/t/<subdomain>/authorize` answers at
 * once, `/t/<subdomain>/token` gives a token) and an API whose `/me` checks TokenHub's tokens. Every request is kept.
 */
async function startProvider(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    seen.push(`${req.method} ${url.pathname}`);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (/^\/t\/[a-z0-9-]+\/authorize$/.test(url.pathname)) {
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'a-code');
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        return res.writeHead(302, { location: back.href }).end();
      }
      if (/^\/t\/[a-z0-9-]+\/token$/.test(url.pathname)) return send(200, { access_token: 'at', expires_in: 3600 });
      if (url.pathname === '/cc/token') {
        // Only the integration's client gets a token (its id and secret in the body).
        const form = new URLSearchParams(body);
        const ok = form.get('client_id') === CC_CLIENT.id && form.get('client_secret') === CC_CLIENT.secret;
        return ok ? send(200, { access_token: 'cc-token', expires_in: 3600 }) : send(401, { error: 'invalid_client' });
      }
      if (url.pathname === '/api/me') return req.headers['x-token'] === GOOD_TOKEN ? send(200, { me: 1 }) : send(401, {});
      send(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the Connect page asks per-tenant fields and credentials as the catalog describes them', () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let api: ApiHarness;
  let browser: Browser;
  let nango: InstanceType<typeof Nango>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    provider = await startProvider();
    api = await startApi({
      secretKey: SECRET_KEY,
      yaml: `integrations:\n  tokenhub:\n    provider: tokenhub\n  cchub:\n    provider: cchub\n    oauth:\n      client_id: ${CC_CLIENT.id}\n      client_secret: ${CC_CLIENT.secret}\n`,
      catalog: catalogOf(
        {
          name: 'deskhub',
          display_name: 'DeskHub',
          auth_mode: 'OAUTH2',
          authorization_url: `${provider.url}/t/\${connectionConfig.subdomain}/authorize`,
          token_url: `${provider.url}/t/\${connectionConfig.subdomain}/token`,
          disable_pkce: true,
          docs_connect: DOCS,
          connection_config: {
            subdomain: {
              type: 'string',
              title: 'DeskHub subdomain',
              description: 'The part before .deskhub.example in your DeskHub address',
              pattern: '^[a-z0-9-]+$',
              example: 'mycompany',
              prefix: 'https://',
              suffix: '.deskhub.example',
              doc_section: '#step-1-find-your-subdomain',
            },
          },
        },
        {
          name: 'tokenhub',
          display_name: 'TokenHub',
          auth_mode: 'API_KEY',
          docs: 'https://tokenhub.example.test/docs/auth',
          credentials: {
            apiKey: {
              type: 'string',
              title: 'Access token',
              description: 'Settings, Tokens in TokenHub',
              pattern: '^tok_[a-z0-9]{8}$',
              example: 'tok_xxxxxxxx',
              secret: true,
            },
          },
          connection_config: { region: { type: 'string', title: 'Region', enum: ['us', 'eu'], default_value: 'us' } },
          proxy: { base_url: `${provider.url}/api`, headers: { 'x-token': '${apiKey}' }, verification: { endpoints: ['/me'] } },
        } as Provider,
        {
          name: 'cchub',
          display_name: 'CCHub',
          auth_mode: 'OAUTH2_CC',
          token_url: `${provider.url}/cc/token`,
          proxy: { base_url: `${provider.url}/api` },
        } as Provider,
      ),
    });
    const created = await api.call('/config', {
      method: 'POST',
      key: SECRET_KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'deskhub',
        provider: 'deskhub',
        oauth_client_id: 'c',
        oauth_client_secret: 's',
      }),
    });
    expect(created.status).toBe(200);
    nango = new Nango({ host: api.url, secretKey: SECRET_KEY });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await provider?.close();
  });

  async function open(run: string): Promise<Page> {
    const created = await nango.createConnectSession({ end_user: { id: 'eu-1' }, tags: { run } });
    const page = await browser.newPage();
    await page.goto(created.data.connect_link);
    await page.waitForSelector('#integrations button');
    return page;
  }

  async function configOf(integration: string, run: string) {
    const store = await api.store();
    return (await store.search({ integrations: [integration], tags: { run } })).map((c) => c.additionalConfig);
  }

  it('asks a Zendesk-like subdomain, refuses one outside its pattern before any redirect, then connects with it', async () => {
    const page = await open('desk');
    await page.click('button[data-key="deskhub"]');
    expect(await page.evaluate('document.activeElement.id')).toBe('param-subdomain');
    expect(await page.textContent('label[for="param-subdomain"]')).toBe('DeskHub subdomain');
    expect(await page.textContent('#param-subdomain-hint')).toBe('The part before .deskhub.example in your DeskHub address');
    expect(await page.textContent('#param-subdomain-prefix')).toBe('https://');
    expect(await page.textContent('#param-subdomain-suffix')).toBe('.deskhub.example');
    expect(await page.getAttribute('#param-subdomain', 'placeholder')).toBe('mycompany');
    expect(await page.getAttribute('.guide', 'href')).toBe(`${DOCS}#step-1-find-your-subdomain`);
    expect(await page.getAttribute('#docs-link', 'href')).toBe(DOCS);
    expect(await page.textContent('#submit')).toBe('Continue to DeskHub');

    const popups: Page[] = [];
    page.on('popup', (popup) => popups.push(popup));
    const before = provider.seen.length;
    await page.keyboard.press('Enter');
    expect(await page.textContent('#param-subdomain-error')).toBe('DeskHub subdomain is required.');
    expect(await page.textContent('#form-error')).toBe('Fill in every field, then try again.');
    await page.keyboard.type('Acme.evil.example');
    await page.keyboard.press('Enter');
    expect(await page.textContent('#param-subdomain-error')).toBe(
      'DeskHub subdomain is not in the expected form, e.g. mycompany (it must match ^[a-z0-9-]+$).',
    );
    expect(await page.getAttribute('#param-subdomain', 'aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('param-subdomain');
    await page.screenshot({ path: join(SHOTS, 'subdomain-refused.png') });
    // Nothing left the page: no popup, no request to the provider, nothing stored.
    await page.waitForTimeout(500);
    expect(popups).toEqual([]);
    expect(provider.seen.length).toBe(before);
    expect(await configOf('deskhub', 'desk')).toEqual([]);

    await page.fill('#param-subdomain', 'acme');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.keyboard.press('Enter')]);
    await page.waitForSelector('#done:not([hidden])', { timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'subdomain-connected.png') });
    expect(popup).toBeDefined();
    expect(provider.seen).toEqual(expect.arrayContaining(['GET /t/acme/authorize', 'POST /t/acme/token']));
    expect(await configOf('deskhub', 'desk')).toEqual([{ subdomain: 'acme' }]);
    await page.close();
  }, 60_000);

  it('drives the API-key form from the catalog: label, hint, a secret input, the pattern checked here, the refusal said', async () => {
    const page = await open('token');
    await page.click('button[data-key="tokenhub"]');
    // Fields with no order keep the page's order: per-tenant values first, then the credentials.
    expect(await page.$$eval('#fields label', (labels) => labels.map((label) => label.textContent))).toEqual([
      'Region',
      'Access token',
    ]);
    await page.screenshot({ path: join(SHOTS, 'token-form.png') });
    expect(await page.inputValue('#param-region')).toBe('us');
    expect(await page.getAttribute('#api-key', 'type')).toBe('password');
    expect(await page.textContent('#api-key-hint')).toBe('Settings, Tokens in TokenHub');
    expect(await page.getAttribute('#docs-link', 'href')).toBe('https://tokenhub.example.test/docs/auth');
    expect(await page.textContent('#submit')).toBe('Connect');
    // The first field has the focus; the keyboard goes on to the next.
    expect(await page.evaluate('document.activeElement.id')).toBe('param-region');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('api-key');
    await page.keyboard.type('wrong');
    const checks = provider.seen.filter((line) => line === 'GET /api/me').length;
    await page.keyboard.press('Enter');
    expect(await page.textContent('#api-key-error')).toBe(
      'Access token is not in the expected form (it must match ^tok_[a-z0-9]{8}$).',
    );
    expect(provider.seen.filter((line) => line === 'GET /api/me').length).toBe(checks);

    await page.fill('#api-key', REFUSED_TOKEN);
    await page.keyboard.press('Enter');
    await page.locator('#form-error', { hasText: 'refused' }).waitFor();
    expect(await page.textContent('#form-error')).toBe('TokenHub refused these credentials. Check them and try again.');
    await page.screenshot({ path: join(SHOTS, 'token-refused.png') });
    await page.selectOption('#param-region', 'eu');
    await page.fill('#api-key', GOOD_TOKEN);
    await page.click('#submit');
    await page.waitForSelector('#done:not([hidden])');
    expect(await configOf('tokenhub', 'token')).toEqual([{ region: 'eu' }]);
    expect(await page.content()).not.toContain(GOOD_TOKEN);
    await page.close();
  }, 60_000);

  it('our frontend SDK checks auth() params against the fields before its popup goes anywhere, and posts credentials', async () => {
    const created = await nango.createConnectSession({ end_user: { id: 'eu-2' }, tags: { run: 'sdk' } });
    const token = created.data.token;
    const app = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head>
<meta charset="utf-8"><title>App</title></head><body><button id="bad">bad</button><button id="key">key</button>
<pre id="result">(nothing yet)</pre><script type="module">
import Nango from '${api.url}/sdk/frontend.js';
const nango = new Nango({ host: '${api.url}', connectSessionToken: '${token}' });
const show = (promise) => {
  document.getElementById('result').textContent = 'waiting';
  promise.then((r) => { document.getElementById('result').textContent = 'OK ' + JSON.stringify(r); })
    .catch((e) => { document.getElementById('result').textContent = 'ERROR ' + JSON.stringify(e); });
};
document.getElementById('bad').onclick = () => show(nango.auth('deskhub', { params: { subdomain: 'Acme.evil.example' } }));
document.getElementById('key').onclick = () =>
  show(nango.auth('tokenhub', { params: { region: 'eu' }, credentials: { apiKey: '${GOOD_TOKEN}' } }));
</script></body></html>`),
    );
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(app.address() as AddressInfo).port}/`);
      const before = provider.seen.length;
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#bad')]);
      await page.waitForFunction("!document.getElementById('result').textContent.startsWith('waiting')");
      expect(JSON.parse((await page.textContent('#result'))?.slice('ERROR '.length) ?? '')).toEqual({
        providerConfigKey: 'deskhub',
        connectionId: '',
        error: {
          type: 'invalid_connection_config',
          message:
            'The connection config for DeskHub is not valid: params[subdomain] (DeskHub subdomain) does not match the pattern ^[a-z0-9-]+$, e.g. mycompany',
        },
      });
      // The popup never left its blank page, and is closed; the provider heard nothing.
      expect(popup.isClosed()).toBe(true);
      expect(provider.seen.length).toBe(before);

      await page.click('#key');
      await page.waitForFunction("!document.getElementById('result').textContent.startsWith('waiting')");
      expect(await page.textContent('#result')).toMatch(/^OK .*"providerConfigKey":"tokenhub"/);
      expect(await configOf('tokenhub', 'sdk')).toEqual([{ region: 'eu' }]);
      await page.close();
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  }, 60_000);

  it("does not require an OAUTH2_CC client when the integration holds one: left empty, the integration's client is used", async () => {
    const page = await open('cc');
    await page.click('button[data-key="cchub"]');
    for (const name of ['client_id', 'client_secret']) {
      expect(await page.$eval(`#cred-${name}`, (input) => (input as unknown as { required: boolean }).required)).toBe(false);
      expect(await page.textContent(`label[for="cred-${name}"]`)).toContain('(optional)');
    }
    expect(await page.textContent('#fields')).toContain("Left empty, the integration's own client is used.");
    await page.screenshot({ path: join(SHOTS, 'cc-integration-client.png') });
    await page.click('#submit');
    await page.waitForSelector('#done:not([hidden])');
    const store = await api.store();
    const [listed] = await store.search({ integrations: ['cchub'], tags: { run: 'cc' } });
    const connection = await store.get('cchub', listed?.userId ?? '');
    expect(connection?.credentials).toMatchObject({ token: 'cc-token', client_id: CC_CLIENT.id });
    expect(connection?.credentials).not.toHaveProperty('client_secret');
    expect(provider.seen).toContain('POST /cc/token');
    await page.close();
    // Without a client of its own, the integration's form requires the user's (the unit of the same rule).
    const required = connectFormOf({ name: 'cchub', auth_mode: 'OAUTH2_CC' } as Provider, 'OAUTH2_CC', new Set(), false);
    expect(required.credentials.map((field) => [field.name, field.optional])).toEqual([
      ['client_id', false],
      ['client_secret', false],
    ]);
    // A signing entry asks the user's key whatever the integration holds.
    const signing = { name: 'okta', auth_mode: 'OAUTH2_CC', token_request_auth_method: 'private_key_jwt' } as Provider;
    expect(connectFormOf(signing, 'OAUTH2_CC', new Set(), true).credentials.every((field) => !field.optional)).toBe(true);
  }, 60_000);

  it("our frontend SDK's own rules, run in the browser: credentials routed as contract B.4 says, params judged as the server judges them", async () => {
    const page = await browser.newPage();
    await page.goto(`${api.url}/sdk/frontend.js`); // any page of the server's origin: the modules import from it
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{ apiKey: 'k', type: 'API_KEY' }, '/api-auth/api-key/', { apiKey: 'k' }],
      [{ username: 'u', password: 'p' }, '/api-auth/basic/', { username: 'u', password: 'p' }],
      [{ username: 'key' }, '/api-auth/basic/', { username: 'key', password: '' }],
      [
        { type: 'SIGNATURE', username: 'u', password: 'p' },
        '/auth/signature/',
        { type: 'SIGNATURE', username: 'u', password: 'p' },
      ],
      [{ type: 'TWO_STEP', client_key: 'k' }, '/auth/two-step/', { type: 'TWO_STEP', client_key: 'k' }],
      [{ type: 'JWT', privateKey: 'pem' }, '/auth/jwt/', { type: 'JWT', privateKey: 'pem' }],
      [{ token_id: 't', token_secret: 's', extra: 'x' }, '/auth/tba/', { token_id: 't', token_secret: 's' }],
      [{ client_id: 'c', client_secret: 's', type: 'OAUTH2_CC' }, '/oauth2/auth/', { client_id: 'c', client_secret: 's' }],
      [{ type: 'AWS_SIGV4', role_arn: 'arn', region: 'eu-west-1' }, '/auth/aws-sigv4/', { role_arn: 'arn', region: 'eu-west-1' }],
      [
        { username: 'u', password: 'p', organization_id: 'o', dev_key: 'd' },
        '/auth/bill/',
        { username: 'u', password: 'p', organization_id: 'o', dev_key: 'd' },
      ],
    ];
    const routed = await page.evaluate(
      `import('/sdk/credentialRoutes.js').then(({ credentialRoute }) => ${JSON.stringify(cases.map((c) => c[0]))}.map(credentialRoute))`,
    );
    expect(routed).toEqual(cases.map(([, route, body]) => ({ route, body })));

    const provider = {
      name: 'p',
      display_name: 'P',
      auth_mode: 'OAUTH2',
      connection_config: {
        subdomain: {
          type: 'string',
          title: 'Subdomain',
          description: 'Your subdomain.',
          pattern: '^[a-z0-9-]+$',
          example: 'acme',
        },
        region: { type: 'string', title: 'Region', enum: ['us', 'eu'] },
        site: { type: 'string', title: 'Site', format: 'uri', optional: true },
        dc: { type: 'string', title: 'Data centre', default_value: 'us1' },
      },
    } as unknown as Provider;
    const fields = connectFormOf(provider, 'OAUTH2', new Set()).connection_config;
    const paramsCases: Record<string, string>[] = [
      { subdomain: 'acme', region: 'eu' },
      { subdomain: 'Acme.evil', region: 'eu' },
      { region: 'apac' },
      { subdomain: 'acme', region: 'us', site: 'not a url' },
      { subdomain: 'acme', region: 'us', site: 'https://x.example', dc: '' },
      {},
    ];
    const judged = (await page.evaluate(
      `import('/sdk/connectionFields.js').then(({ paramsProblems }) => ${JSON.stringify(paramsCases)}.map((params) => paramsProblems(${JSON.stringify(fields)}, params)))`,
    )) as string[][];
    const server = paramsCases.map((params) => {
      try {
        checkConnectionConfig(provider, params, { where: (key) => `params[${key}]`, complete: true });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(
      judged.map((problems) => (problems.length === 0 ? '' : `The connection config for P is not valid: ${problems.join('; ')}`)),
    ).toEqual(server);
    expect(server.filter(Boolean)).toHaveLength(4);
    await page.close();
  }, 60_000);

  /** Each other mode's form, as the server would describe it, and what it must post (contract B.4). */
  const modes: {
    mode: string;
    /** The integration's key after `k-`: the mode's name unless two cases share a mode. */
    key?: string;
    provider: Partial<Provider>;
    fill: Record<string, string>;
    route: string;
    body: unknown;
  }[] = [
    {
      mode: 'BASIC',
      provider: {
        credentials: {
          username: { type: 'string', title: 'API key', secret: true },
          password: { type: 'string', title: '', default_value: 'X', hidden: true },
        },
      },
      fill: { username: 'key-1' },
      route: '/api-auth/basic/',
      body: { username: 'key-1', password: 'X' },
    },
    {
      mode: 'OAUTH2_CC',
      provider: {},
      fill: { 'cred-client_id': 'cid', 'cred-client_secret': 'csecret' },
      route: '/oauth2/auth/',
      body: { client_id: 'cid', client_secret: 'csecret' },
    },
    {
      // Okta's entry: a private_key_jwt client has a key, no secret.
      mode: 'OAUTH2_CC',
      key: 'oauth2_cc-jwt',
      provider: {
        token_request_auth_method: 'private_key_jwt',
        credentials: { client_private_key: { type: 'string', title: 'Private Key (JWK)', secret: true } },
      },
      fill: { 'cred-client_id': 'cid', 'cred-client_private_key': '{"kty":"RSA"}' },
      route: '/oauth2/auth/',
      body: { client_id: 'cid', client_private_key: '{"kty":"RSA"}' },
    },
    {
      mode: 'TWO_STEP',
      provider: {
        credentials: {
          client_key: { type: 'string', title: 'Client key' },
          client_secret: { type: 'string', title: 'Client secret', secret: true },
        },
      },
      fill: { 'cred-client_key': 'k', 'cred-client_secret': 's' },
      route: '/auth/two-step/',
      body: { type: 'TWO_STEP', client_key: 'k', client_secret: 's' },
    },
    {
      mode: 'JWT',
      provider: {
        credentials: {
          privateKey: { type: 'string', title: 'Private key', secret: true },
          issuerId: { type: 'string', title: 'Issuer id' },
        },
      },
      fill: { 'cred-privateKey': 'pem', 'cred-issuerId': 'iss' },
      route: '/auth/jwt/',
      body: { type: 'JWT', privateKey: 'pem', issuerId: 'iss' },
    },
    {
      mode: 'BILL',
      provider: {},
      fill: { username: 'u', password: 'p', 'cred-organization_id': 'org', 'cred-dev_key': 'dev' },
      route: '/auth/bill/',
      body: { username: 'u', password: 'p', organization_id: 'org', dev_key: 'dev' },
    },
    {
      mode: 'SIGNATURE',
      provider: {},
      fill: { username: 'u', password: 'p' },
      route: '/auth/signature/',
      body: { type: 'SIGNATURE', username: 'u', password: 'p' },
    },
    {
      mode: 'TBA',
      provider: {},
      fill: { 'cred-token_id': 'tid', 'cred-token_secret': 'tsec' },
      route: '/auth/tba/',
      body: { token_id: 'tid', token_secret: 'tsec' },
    },
    {
      mode: 'AWS_SIGV4',
      provider: {},
      fill: { 'cred-role_arn': 'arn:aws:iam::123456789012:role/Reader' },
      route: '/auth/aws-sigv4/',
      body: { role_arn: 'arn:aws:iam::123456789012:role/Reader' },
    },
    { mode: 'NONE', provider: {}, fill: {}, route: '/auth/unauthenticated/', body: null },
  ];

  it("renders every other mode's form and posts what its route takes", async () => {
    const integrations = modes.map(({ mode, key, provider: extra }) => ({
      unique_key: `k-${key ?? mode.toLowerCase()}`,
      provider: mode.toLowerCase(),
      display_name: `The ${mode} API`,
      auth_mode: mode,
      ...connectFormOf({ name: mode.toLowerCase(), auth_mode: mode, ...extra } as Provider, mode, new Set()),
    }));
    const page = await open('modes');
    const posted: { path: string; body: unknown }[] = [];
    // The list as the server describes these modes, and their routes answered here (their handlers are another part's).
    await page.route('**/connect/session/integrations', (route) => route.fulfill({ json: { data: integrations } }));
    await page.route(/\/(api-auth|auth|oauth2\/auth)\//, (route, request: Request) => {
      const url = new URL(request.url());
      posted.push({ path: url.pathname, body: request.postData() === null ? null : JSON.parse(request.postData() ?? '') });
      return route.fulfill({ json: { connectionId: 'c-1', providerConfigKey: url.pathname.split('/').at(-1) } });
    });
    await page.reload();
    await page.waitForSelector('#integrations button');
    for (const { mode, key = mode.toLowerCase(), fill, route, body } of modes) {
      await page.click(`button[data-key="k-${key}"]`);
      const ids = await page.$$eval('#fields input, #fields select', (inputs) => inputs.map((input) => input.id));
      expect(ids.sort()).toEqual(
        Object.keys(fill)
          .concat(mode === 'AWS_SIGV4' ? ['cred-region'] : [])
          .sort(),
      );
      for (const [id, value] of Object.entries(fill)) await page.fill(`#${id}`, value);
      await page.screenshot({ path: join(SHOTS, `mode-${key}.png`) });
      await page.click('#submit');
      await page.waitForSelector('#done:not([hidden])');
      expect(posted.at(-1)).toEqual({ path: `${route}k-${key}`, body });
      await page.click('#again');
    }
    await page.close();
  }, 90_000);
});
