import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger';
import { PgStore } from '../../src/store/postgres/PgStore';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { Store } from '../../src/store/Store';
import { stableJson } from '../../src/webhooks/stableJson';
import { WebhookOutbox } from '../../src/webhooks/WebhookOutbox';
import type { WebhookSettings } from '../../src/webhooks/webhookSettings';
import type { AsyncActionWebhookBody, AuthWebhookBody, WebhookBody } from '../../src/webhooks/Webhooks';
import { createTestDatabase } from '../helpers/pgDatabase';
import { testCipher } from '../helpers/testCipher';
import { startReceiver, type Received, type Receiver } from './webhookReceiver';
import { officialNango } from './officialSdk';

const KEY = 'sk-webhook-test-key';
const sdk = officialNango(KEY);

/** Two handles on one database, as two server processes have. */
interface Shared {
  a: Store;
  b: Store;
  dispose(): Promise<void>;
}

async function sqliteTwice(): Promise<Shared> {
  const dir = mkdtempSync(join(tmpdir(), 'nango-webhooks-'));
  const cipher = testCipher();
  const a = new SqliteStore(join(dir, 'nango.sqlite'), cipher);
  const b = new SqliteStore(join(dir, 'nango.sqlite'), cipher);
  return {
    a,
    b,
    dispose: async () => {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pgTwice(): Promise<Shared> {
  const database = await createTestDatabase();
  const cipher = testCipher();
  const a = await PgStore.open(database.url, cipher, { poolSize: 4 });
  const b = await PgStore.open(database.url, cipher, { poolSize: 4 });
  return {
    a,
    b,
    dispose: async () => {
      await a.close();
      await b.close();
      await database.drop();
    },
  };
}

const auth = (connectionId: string, operation: AuthWebhookBody['operation'] = 'creation'): AuthWebhookBody => ({
  from: 'nango',
  type: 'auth',
  connectionId,
  providerConfigKey: 'github',
  authMode: 'OAUTH2',
  provider: 'github',
  environment: 'prod',
  operation,
  success: operation !== 'refresh',
  ...(operation === 'refresh' && { error: { type: 'refresh_token_rejected', description: 'invalid_grant' } }),
});
const action = (id: string): AsyncActionWebhookBody => ({
  from: 'nango',
  type: 'async_action',
  connectionId: 'u1',
  providerConfigKey: 'github',
  payload: { id, statusUrl: `/action/${id}` },
});

/** Every accepted POST is signed as the official SDK checks, on its exact bytes. */
function expectSigned(received: readonly Received[]): void {
  for (const request of received) {
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toEqual(expect.any(String));
    expect(sdk.verifyIncomingWebhookRequest(request.body, request.headers)).toBe(true);
    expect(sdk.verifyIncomingWebhookRequest(request.body.replace('"nango"', '"nangx"'), request.headers)).toBe(false);
    expect(sdk.verifyWebhookSignature(String(request.headers['x-nango-signature']), JSON.parse(request.body))).toBe(true);
  }
}

describe.each([
  ['sqlite', sqliteTwice],
  ['postgres', pgTwice],
] as const)('webhook delivery on %s', (_kind, openShared) => {
  const logger = createLogger('silent');
  let shared: Shared;
  let receiver: Receiver | undefined;
  const outboxes: WebhookOutbox[] = [];

  function outbox(store: Store, url: string, overrides: Partial<WebhookSettings> = {}): WebhookOutbox {
    const settings: WebhookSettings = {
      webhookUrl: url,
      webhookSecondaryUrl: undefined,
      webhookSigningKey: KEY,
      webhookOnAuthCreation: true,
      webhookOnAuthRefreshError: true,
      webhookOnAsyncActionCompletion: true,
      webhookOnSyncCompletionAlways: false,
      webhookOnSyncError: true,
      webhookRetryBaseMs: 100,
      webhookMaxAttempts: 20,
      webhookTimeoutMs: 3_000,
      environment: 'prod',
      ...overrides,
    };
    const made = new WebhookOutbox(store.webhooks, settings, logger, { pollMs: 100 });
    outboxes.push(made);
    return made;
  }

  beforeEach(async () => {
    shared = await openShared();
  });
  afterEach(async () => {
    for (const made of outboxes.splice(0)) await made.stop();
    await receiver?.close();
    receiver = undefined;
    await shared.dispose();
  });

  it('retries through 500s and refused connections, survives a stop, and delivers each webhook once, signed, as sent', async () => {
    receiver = await startReceiver(0, () => ({ status: 500 }));
    const port = receiver.port;
    const first = outbox(shared.a, receiver.url);
    first.start();
    const bodies: WebhookBody[] = [auth('u1'), action('act-1'), auth('u2', 'refresh')];
    for (const body of bodies) await first.enqueue(body);
    await receiver.waitFor((got) => got.length >= 6); // each tried at least twice, on average
    await receiver.close(); // now connections are refused
    await waitUntil(async () => (await shared.a.webhooks.list()).some((d) => d.lastError?.includes('ECONNREFUSED') === true));
    await first.stop(); // the server stops with webhooks pending
    const pending = await shared.a.webhooks.list({ state: 'pending' });
    expect(pending).toHaveLength(3);
    expect(pending.every((d) => d.attempts >= 1)).toBe(true);

    // The receiver recovers on the same address; another process on the same database delivers everything.
    receiver = await startReceiver(port);
    const second = outbox(shared.b, receiver.url);
    second.start();
    await receiver.waitFor((got) => got.length >= 3);
    await waitUntil(async () => (await shared.b.webhooks.list({ state: 'delivered' })).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 300)); // time for a duplicate to show, if there were one
    expect(receiver.accepted().map((r) => JSON.parse(r.body) as unknown)).toEqual(expect.arrayContaining(bodies));
    expect(receiver.accepted()).toHaveLength(3);
    expect(
      receiver
        .accepted()
        .map((r) => r.body)
        .sort(),
    ).toEqual(bodies.map(stableJson).sort());
    expectSigned(receiver.accepted());
    const delivered = await shared.b.webhooks.list();
    expect(delivered.every((d) => d.state === 'delivered' && d.lastStatus === 200 && d.attempts >= 2)).toBe(true);
  });

  it("honours a 429's Retry-After rather than its short backoff", async () => {
    receiver = await startReceiver(0, (_request, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 },
    );
    const sender = outbox(shared.a, receiver.url, { webhookRetryBaseMs: 10 });
    sender.start();
    await sender.enqueue(auth('u1'));
    await receiver.waitFor((got) => got.length >= 2);
    const [limited, accepted] = receiver.received;
    expect(limited?.status).toBe(429);
    expect(accepted?.status).toBe(204);
    expect((accepted?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
    await waitUntil(async () => (await shared.a.webhooks.list({ state: 'delivered' })).length === 1);
    expect((await shared.a.webhooks.list())[0]).toMatchObject({ attempts: 2, lastStatus: 204, state: 'delivered' });
  });

  it('fails a 4xx or a redirect at once, without retrying or following it', async () => {
    receiver = await startReceiver(0, (request) =>
      request.path === '/gone' ? { status: 410 } : { status: 302, headers: { location: '/elsewhere' } },
    );
    const gone = outbox(shared.a, `${receiver.url}/gone`);
    const moved = outbox(shared.a, `${receiver.url}/moved`);
    gone.start();
    moved.start();
    await gone.enqueue(auth('u1'));
    await moved.enqueue(auth('u2'));
    await waitUntil(async () => (await shared.a.webhooks.list({ state: 'failed' })).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a retry would come within this
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/gone', '/moved']);
    const failed = await shared.a.webhooks.list({ state: 'failed' });
    expect(failed.map((d) => [d.lastStatus, d.attempts]).sort()).toEqual([
      [302, 1],
      [410, 1],
    ]);
    expect(failed.every((d) => d.lastError?.includes('not retried') === true)).toBe(true);
  });

  it('never has two processes send the same delivery: each of 40 webhooks arrives exactly once', async () => {
    receiver = await startReceiver(0, () => ({ status: 200, delayMs: 30 }));
    const one = outbox(shared.a, receiver.url);
    const two = outbox(shared.b, receiver.url);
    const bodies = Array.from({ length: 40 }, (_, i) => action(`run-${i}`));
    // Stored before either sends, so both race for every row.
    for (const body of bodies) await one.enqueue(body);
    one.start();
    two.start();
    await waitUntil(async () => (await shared.a.webhooks.list({ state: 'delivered' })).length === 40, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(40);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(40);
    expect((await shared.a.webhooks.list()).every((d) => d.attempts === 1)).toBe(true);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
