import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWebhooksCommand } from '../../src/commands/webhooks';
import { openStore } from '../../src/store/openStore';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';
import { startHarness, type Harness } from '../helpers/harness';
import { playFlow } from '../helpers/oauthFlow';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';
import { startReceiver, type Received, type Receiver } from './webhookReceiver';
import { officialNango } from './officialSdk';

const KEY = 'sk-webhooks-integration-key';
const FAST = { webhookRetryBaseMs: 100, webhookTimeoutMs: 3_000, secretKey: KEY, port: 0 };

/** The official SDK accepts every webhook as sent, and refuses it tampered with. */
function expectVerified(received: readonly Received[]): void {
  const sdk = officialNango(KEY);
  expect(received.length).toBeGreaterThan(0);
  for (const request of received) {
    expect(sdk.verifyIncomingWebhookRequest(request.body, request.headers)).toBe(true);
    expect(sdk.verifyIncomingWebhookRequest(`${request.body} `, request.headers)).toBe(false);
    expect(sdk.verifyWebhookSignature(String(request.headers['x-nango-signature']), JSON.parse(request.body))).toBe(true);
  }
}

const bodies = (received: readonly Received[]) => received.map((r) => JSON.parse(r.body) as Record<string, unknown>);

async function api(url: string, path: string, init: RequestInit = {}, key: string | null = KEY) {
  const headers = new Headers(init.headers);
  if (key !== null) headers.set('authorization', `Bearer ${key}`);
  const response = await fetch(`${url}${path}`, { ...init, headers });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked by shape
  return { status: response.status, body: (await response.json()) as any };
}

describe('auth webhooks from registerConnection over RabbitMQ', () => {
  let primary: Receiver;
  let secondary: Receiver;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await primary.close();
    await secondary.close();
  });

  it('sends a creation webhook to the primary and secondary URLs, signed, in the shape of contract E.2', async () => {
    primary = await startReceiver();
    secondary = await startReceiver();
    h = await startHarness({
      yaml: FOUR_AUTH_MODES_YAML,
      ...FAST,
      webhookUrl: `${primary.url}/hooks`,
      webhookSecondaryUrl: secondary.url,
      environment: 'staging',
    });
    await h.nango.registerConnection('example', 'user-1', { api_key: 'api-key-secret-1' });
    await primary.waitFor((got) => got.length === 1);
    await secondary.waitFor((got) => got.length === 1);
    const expected = {
      from: 'nango',
      type: 'auth',
      connectionId: 'user-1',
      providerConfigKey: 'example',
      authMode: 'API_KEY',
      provider: 'example',
      environment: 'staging',
      operation: 'creation',
      success: true,
    };
    expect(bodies(primary.received)).toEqual([expected]);
    expect(bodies(secondary.received)).toEqual([expected]);
    expect(primary.received[0]?.path).toBe('/hooks');
    expect(primary.received[0]?.body).toBe(secondary.received[0]?.body);
    expect(primary.received[0]?.body).not.toContain('api-key-secret-1');
    expectVerified([...primary.received, ...secondary.received]);
    // A refused registration (it exists already) sends nothing.
    await expect(h.nango.registerConnection('example', 'user-1', { api_key: 'k' })).rejects.toMatchObject({
      code: 'connection_exists',
    });
    const log = await api(h.worker.httpUrl ?? '', '/webhooks/deliveries');
    expect(log.status).toBe(200);
    expect(log.body.deliveries).toHaveLength(2);
    expect(h.rawLogs.join('\n')).not.toContain(KEY);
  });

  it('stores nothing when the switch is off', async () => {
    primary = await startReceiver();
    secondary = await startReceiver();
    h = await startHarness({ yaml: FOUR_AUTH_MODES_YAML, ...FAST, webhookUrl: primary.url, webhookOnAuthCreation: false });
    await h.nango.registerConnection('example', 'user-1', { api_key: 'k' });
    expect((await api(h.worker.httpUrl ?? '', '/webhooks/deliveries')).body).toEqual({ deliveries: [] });
    expect(primary.received).toEqual([]);
  });

  it('delivers every webhook after the receiver fails, then recovers, with the server restarted between', async () => {
    primary = await startReceiver(0, () => ({ status: 500 }));
    secondary = await startReceiver();
    const port = primary.port;
    const options = { yaml: FOUR_AUTH_MODES_YAML, ...FAST, webhookUrl: primary.url };
    h = await startHarness(options);
    for (const user of ['a', 'b', 'c']) await h.nango.registerConnection('example', user, { api_key: `k-${user}` });
    await primary.waitFor((got) => got.length >= 4);
    await primary.close(); // refused from now on
    await new Promise((resolve) => setTimeout(resolve, 400));
    await h.worker.stop(); // with the three webhooks pending
    const { dbPath, queue } = h;

    primary = await startReceiver(port);
    const again = await startHarness({ ...options, dbPath, queue });
    try {
      await primary.waitFor((got) => got.length >= 3);
      const log = await api(again.worker.httpUrl ?? '', '/webhooks/deliveries');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(primary.accepted()).toHaveLength(3);
      expect(bodies(primary.accepted()).map((b) => b['connectionId'])).toEqual(expect.arrayContaining(['a', 'b', 'c']));
      expectVerified(primary.accepted());
      expect(log.body.deliveries).toHaveLength(3);
      for (const delivery of log.body.deliveries) expect(delivery.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await again.stop();
    }
  });

  it('lists failed deliveries, and replays them through the route and the CLI', async () => {
    let refuse = true;
    primary = await startReceiver(0, () => ({ status: refuse ? 410 : 200 }));
    secondary = await startReceiver();
    h = await startHarness({ yaml: FOUR_AUTH_MODES_YAML, ...FAST, webhookUrl: primary.url });
    const url = h.worker.httpUrl ?? '';
    await h.nango.registerConnection('example', 'route', { api_key: 'k' });
    await h.nango.registerConnection('example', 'cli', { api_key: 'k' });
    await primary.waitFor((got) => got.length === 2);
    let failed: { id: string; connection: string }[] = [];
    await waitUntil(async () => {
      const log = await api(url, '/webhooks/deliveries?state=failed');
      failed = log.body.deliveries.map((d: { id: string }) => ({ id: d.id, connection: '' }));
      return failed.length === 2;
    });
    const log = await api(url, '/webhooks/deliveries?state=failed&limit=10');
    expect(log.body.deliveries[0]).toEqual({
      id: expect.any(String),
      url: primary.url,
      type: 'auth',
      state: 'failed',
      attempts: 1,
      last_status: 410,
      last_error: expect.stringContaining('HTTP 410'),
      next_attempt_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(JSON.stringify(log.body)).not.toContain(KEY);
    expect((await api(url, '/webhooks/deliveries', {}, null)).status).toBe(401);
    expect((await api(url, '/webhooks/deliveries?state=lost')).body.error.code).toBe('invalid_request');
    expect(await api(url, '/webhooks/deliveries/nope/replay', { method: 'POST' })).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    const byConnection = new Map(
      primary.received.map((r) => [(JSON.parse(r.body) as { connectionId: string }).connectionId, r.body]),
    );
    expect(byConnection.size).toBe(2);

    refuse = false;
    const [first, second] = log.body.deliveries as { id: string }[];
    const replayed = await api(url, `/webhooks/deliveries/${first?.id}/replay`, { method: 'POST' });
    expect(replayed).toMatchObject({ status: 200, body: { delivery: { id: first?.id, state: 'pending', attempts: 0 } } });
    await primary.waitFor((got) => got.length === 3);
    await waitUntil(async () => (await api(url, '/webhooks/deliveries?state=delivered')).body.deliveries.length === 1);

    // The CLI works on the same database beside the running server, which sends what it makes pending.
    const env = { NANGO_DB_PATH: h.dbPath };
    const out: string[] = [];
    expect(await runWebhooksCommand(['list', '--state', 'failed'], env, (line) => out.push(line))).toBe(0);
    expect(out[0]).toMatch(/^ID\s+STATE\s+ATTEMPTS/);
    expect(out.join('\n')).toContain(second?.id);
    expect(out.join('\n')).not.toContain(first?.id);
    out.length = 0;
    expect(await runWebhooksCommand(['replay', second?.id ?? ''], env, (line) => out.push(line))).toBe(0);
    expect(out.join('\n')).toContain('pending again');
    await primary.waitFor((got) => got.length === 4);
    await waitUntil(async () => (await api(url, '/webhooks/deliveries?state=delivered')).body.deliveries.length === 2);
    // The replays carry the same bytes, signed again.
    expect(new Set(primary.accepted().map((r) => r.body))).toEqual(new Set(byConnection.values()));
    expectVerified(primary.accepted());
    const errors: string[] = [];
    expect(
      await runWebhooksCommand(
        ['replay'],
        env,
        () => undefined,
        (line) => errors.push(line),
      ),
    ).toBe(2);
    expect(
      await runWebhooksCommand(
        ['replay', 'missing'],
        env,
        () => undefined,
        (line) => errors.push(line),
      ),
    ).toBe(1);
    expect(errors.join('\n')).toContain("no delivery 'missing'");
  });
});

describe('auth webhooks from the OAuth flow and refresh failures', () => {
  let auth: AuthServer;
  let receiver: Receiver;
  let app: ApiHarness | undefined;
  beforeAll(async () => {
    auth = await AuthServer.start();
  });
  afterAll(() => auth.stop());
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('sends creation, then override when the same Connection is authorised again', async () => {
    const provider: Provider = {
      name: 'mock',
      auth_mode: 'OAUTH2',
      authorization_url: `${auth.url}/authorize`,
      token_url: auth.tokenUrl,
    };
    app = await startApi({ catalog: catalogOf(provider), ...FAST, webhookUrl: receiver.url });
    const created = await app.call('/config', {
      method: 'POST',
      key: KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'app',
        provider: 'mock',
        oauth_client_id: CLIENT_ID,
        oauth_client_secret: CLIENT_SECRET,
        oauth_scopes: 'read',
      }),
    });
    expect(created.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const end = await playFlow(`${app.url}/oauth/connect/app?connection_id=user-1`);
      expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    }
    await receiver.waitFor((got) => got.length === 2);
    const base = {
      from: 'nango',
      type: 'auth',
      connectionId: 'user-1',
      providerConfigKey: 'app',
      authMode: 'OAUTH2',
      provider: 'mock',
      environment: 'prod',
      success: true,
    };
    expect(bodies(receiver.received)).toEqual([
      { ...base, operation: 'creation' },
      { ...base, operation: 'override' },
    ]);
    expectVerified(receiver.received);
    expect(receiver.received.map((r) => r.body).join('')).not.toContain(CLIENT_SECRET);
  });

  it('sends refresh with success false when the provider rejects the refresh token for good', async () => {
    await auth.behave({ rejectEchoing: true });
    const yaml = `integrations:\n  api:\n    auth_mode: OAUTH2\n    base_url: http://127.0.0.1:1\n    oauth:\n      token_url: ${auth.tokenUrl}\n      client_id: ${CLIENT_ID}\n      client_secret: ${CLIENT_SECRET}\n`;
    app = await startApi({ yaml, ...FAST, webhookUrl: receiver.url });
    const store = await app.store();
    const expired = new Date(Date.now() - 60_000).toISOString();
    await store.insert({
      integration: 'api',
      userId: 'u1',
      credentials: { access_token: 'old-access-token', refresh_token: 'dead-refresh-token', expires_at: expired, raw: {} },
      additionalConfig: {},
    });
    const got = await app.call('/connection/u1?provider_config_key=api', { key: KEY });
    expect(got.body.error?.code).toBe('connection_needs_reauthorization');
    await receiver.waitFor((received) => received.length === 1);
    const [body] = bodies(receiver.received);
    expect(body).toEqual({
      from: 'nango',
      type: 'auth',
      connectionId: 'u1',
      providerConfigKey: 'api',
      authMode: 'OAUTH2',
      provider: 'api',
      environment: 'prod',
      operation: 'refresh',
      success: false,
      error: { type: 'refresh_token_rejected', description: expect.stringContaining('authorise again') },
    });
    const text = receiver.received[0]?.body ?? '';
    for (const secret of ['dead-refresh-token', 'old-access-token', CLIENT_SECRET]) expect(text).not.toContain(secret);
    expectVerified(receiver.received);
    // Asked again, it fails fast without a second webhook.
    await app.call('/connection/u1?provider_config_key=api', { key: KEY });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
  });
});

describe('nango-server webhooks, the bin', () => {
  const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-webhooks-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists and replays deliveries of the database the environment names, with usage errors as exit code 2', async () => {
    const env = { NANGO_DB_PATH: join(dir, 'nango.sqlite') };
    const { store } = await openStore(env, { kind: 'sqlite', path: env.NANGO_DB_PATH });
    await store.webhooks.add([{ id: 'd-1', url: 'http://receiver.test/hook', type: 'auth', body: '{}' }], 1_000);
    await store.webhooks.claim('gone', 60_000, 1, 1_000);
    await store.webhooks.finish('d-1', 'gone', { kind: 'failed', status: 404, error: 'HTTP 404: not retried' }, 2_000);
    await store.close();
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'webhooks', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

    const listed = run('list', '--state', 'failed', '--json');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      deliveries: [
        {
          id: 'd-1',
          url: 'http://receiver.test/hook',
          type: 'auth',
          state: 'failed',
          attempts: 1,
          last_status: 404,
          last_error: 'HTTP 404: not retried',
          next_attempt_at: null,
          created_at: new Date(1_000).toISOString(),
          updated_at: new Date(2_000).toISOString(),
        },
      ],
    });
    expect(run('list').stdout).toMatch(
      /^ID\s+STATE\s+ATTEMPTS\s+STATUS\s+TYPE\s+UPDATED\s+URL\s+LAST ERROR\nd-1\s+failed\s+1\s+404/,
    );
    const replayed = run('replay', 'd-1');
    expect([replayed.status, replayed.stdout]).toEqual([
      0,
      expect.stringContaining('d-1 (auth to http://receiver.test/hook) is pending again'),
    ]);
    expect(JSON.parse(run('list', '--json').stdout).deliveries[0]).toMatchObject({ state: 'pending', attempts: 0 });
    expect(run('replay', 'nope')).toMatchObject({ status: 1, stderr: expect.stringContaining("no delivery 'nope'") });
    expect(run('frob')).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown command frob') });
    expect(run('list', '--limit', '0')).toMatchObject({ status: 2 });
    expect(run('--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('nango-server webhooks replay <id>') });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
