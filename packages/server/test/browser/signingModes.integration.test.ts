import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Provider } from '../../src/providers/Provider';
import { AwsMock } from '../authModes/awsMock';
import { startNetSuiteMock } from '../authModes/netsuiteMock';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { FLOW_ENDED, launchChromium } from '../helpers/chromium';

/** Screenshots of what the app page showed, to look at after a run. */
const SHOTS = join(tmpdir(), 'nango-signing-modes');
const SECRET_KEY = 'signing-modes-secret';
const PUBLIC_KEY = '7f3d2c1b-5a6e-4f80-9b1c-2d3e4f5a6b7c';
const CONSUMER = { key: 'ck-browser', secret: 'cs-browser' };
const TOKEN = { id: 'tok-browser', secret: 'tok-secret-browser' };
const PLATFORM = { accessKeyId: 'AKIAPLATFORMBROWSER1', secret: 'platform-browser-secret' };
const ROLE = 'arn:aws:iam::210987654321:role/CustomerRole';
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
 * The official @nangohq/frontend 0.71.4, unchanged, in Chromium, making Connections of the signing and static modes
 * through its own calls: auth() with TBA credentials and with AWS SigV4 ones, create() for an unauthenticated API.
 * Each Connection is then used through the proxy against local providers that check their signatures.
 */
describe('the official frontend 0.71.4 makes TBA, AWS_SIGV4 and NONE Connections', () => {
  let netsuite: Awaited<ReturnType<typeof startNetSuiteMock>>;
  let aws: AwsMock;
  let open: ApiServer;
  let api: ApiHarness;
  let app: Server;
  let appUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    netsuite = await startNetSuiteMock({
      realm: 'TSTDRV231585',
      consumers: { [CONSUMER.key]: CONSUMER.secret },
      tokens: { [TOKEN.id]: TOKEN.secret },
    });
    aws = await new AwsMock({ service: 's3', region: 'us-west-2' }).start(() => ({ buckets: ['reports'] }));
    aws.addPrincipal(PLATFORM.accessKeyId, PLATFORM.secret);
    aws.roles.set(ROLE, { trusts: PLATFORM.accessKeyId });
    open = await startApiServer((request) => ({ body: { tenant: request.headers['x-tenant'] ?? null } }));
    api = await startApi({
      secretKey: SECRET_KEY,
      publicKey: PUBLIC_KEY,
      yaml: `integrations:
  netsuite:
    provider: netsuite-local
    oauth: { client_id: ${CONSUMER.key}, client_secret: ${CONSUMER.secret} }
  s3:
    provider: aws-local
    aws_sigv4:
      service: s3
      access_key_id: ${PLATFORM.accessKeyId}
      secret_access_key: ${PLATFORM.secret}
      sts_endpoint: ${aws.sts.url}/
  open:
    auth_mode: NONE
    base_url: ${open.url}
    headers: { X-Tenant: '\${additionalConfig.subdomain}' }
`,
      catalog: catalogOf({ name: 'netsuite-local', auth_mode: 'TBA', proxy: { base_url: netsuite.url } }, {
        name: 'aws-local',
        auth_mode: 'AWS_SIGV4',
        proxy: { base_url: aws.api.url },
      } as Provider),
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
    await open?.close();
    await aws?.stop();
    await netsuite?.close();
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

  it('TBA: auth() with { token_id, token_secret } and params.accountId; NetSuite accepts the signed proxy call', async () => {
    const result = await inApp(
      `(nango) => nango.auth('netsuite', 'tba-user', { credentials: { token_id: '${TOKEN.id}', token_secret: '${TOKEN.secret}' }, params: { accountId: 'tstdrv231585' } })`,
      'tba',
    );
    expect(result).toEqual({ ok: true, value: { connectionId: 'tba-user', providerConfigKey: 'netsuite' } });
    const reply = await proxy('netsuite', 'tba-user', '/record/v1/customer');
    expect(reply.status).toBe(200);
    expect(netsuite.refusals).toEqual([]);
  }, 60_000);

  it('TBA: a missing token secret is refused with the frontend error naming it, and nothing is stored', async () => {
    const result = await inApp(
      `(nango) => nango.auth('netsuite', 'tba-bad', { credentials: { token_id: '${TOKEN.id}', token_secret: '' }, params: { accountId: 'tstdrv231585' } })`,
      'tba-missing-secret',
    );
    expect(result.ok).toBe(false);
    expect(result.value).toEqual({
      type: 'invalid_credentials',
      message: 'Credentials for netsuite (TBA): token_secret (a non-empty string) is required',
    });
    expect(await (await api.store()).get('netsuite', 'tba-bad')).toBeUndefined();
  }, 60_000);

  it('AWS_SIGV4: auth() with { type: AWS_SIGV4, role_arn, region } assumes the role; S3 accepts the signed proxy call', async () => {
    const result = await inApp(
      `(nango) => nango.auth('s3', 'aws-user', { credentials: { type: 'AWS_SIGV4', role_arn: '${ROLE}', region: 'us-west-2' } })`,
      'aws',
    );
    expect(result).toEqual({ ok: true, value: { connectionId: 'aws-user', providerConfigKey: 's3' } });
    expect(aws.issued).toBe(1);
    const reply = await proxy('s3', 'aws-user', '/reports?list-type=2');
    expect(reply).toMatchObject({ status: 200, body: { buckets: ['reports'] } });
    expect(aws.api.refusals).toEqual([]);
  }, 60_000);

  it('AWS_SIGV4: a role ARN that is not an ARN is refused clearly, before STS is asked, and nothing is stored', async () => {
    const before = aws.sts.requests.length;
    const result = await inApp(
      `(nango) => nango.auth('s3', 'aws-bad', { credentials: { type: 'AWS_SIGV4', role_arn: 'CustomerRole', region: 'us-west-2' } })`,
      'aws-bad-arn',
    );
    expect(result).toEqual({
      ok: false,
      value: {
        type: 'invalid_credentials',
        message:
          'Credentials for s3 (AWS_SIGV4): role_arn must be an IAM role ARN: arn:aws:iam::<12-digit account id>:role/<role name>',
      },
    });
    expect(aws.sts.requests.length).toBe(before);
    expect(await (await api.store()).get('s3', 'aws-bad')).toBeUndefined();
  }, 60_000);

  it('NONE: create() with params makes a Connection without credentials; the proxy reaches the open API', async () => {
    const result = await inApp(`(nango) => nango.create('open', 'open-user', { params: { subdomain: 'acme' } })`, 'none');
    expect(result).toEqual({ ok: true, value: { connectionId: 'open-user', providerConfigKey: 'open' } });
    const reply = await proxy('open', 'open-user', '/slots');
    expect(reply).toMatchObject({ status: 200, body: { tenant: 'acme' } });
    expect(open.requests.at(-1)?.headers.authorization).toBeUndefined();
  }, 60_000);
});
