import { createLogger } from '../../src/logger';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { backoffMs, retryAfterMs } from '../../src/webhooks/attemptDelivery';
import { sendAuthWebhook } from '../../src/webhooks/authWebhook';
import { webhookHeaders } from '../../src/webhooks/signWebhook';
import { stableJson } from '../../src/webhooks/stableJson';
import { WebhookOutbox } from '../../src/webhooks/WebhookOutbox';
import { isSwitchedOn, targetUrls, type WebhookSettings } from '../../src/webhooks/webhookSettings';
import type { AuthWebhookBody, SyncWebhookBody, WebhookBody, Webhooks } from '../../src/webhooks/Webhooks';
import { testCipher } from '../helpers/testCipher';
import { officialNango } from './officialSdk';

const SETTINGS: WebhookSettings = {
  webhookUrl: 'http://primary.test/hook',
  webhookSecondaryUrl: 'http://secondary.test/hook',
  webhookSigningKey: 'sk-test-signing',
  webhookOnAuthCreation: true,
  webhookOnAuthRefreshError: true,
  webhookOnAsyncActionCompletion: true,
  webhookOnSyncCompletionAlways: false,
  webhookOnSyncError: true,
  webhookRetryBaseMs: 1000,
  webhookMaxAttempts: 10,
  webhookTimeoutMs: 10_000,
  environment: 'dev',
};

const auth = (operation: AuthWebhookBody['operation'], success = true): AuthWebhookBody => ({
  from: 'nango',
  type: 'auth',
  connectionId: 'u1',
  providerConfigKey: 'github',
  authMode: 'OAUTH2',
  provider: 'github',
  environment: 'dev',
  operation,
  success,
});
const sync = (success: boolean, added = 0): SyncWebhookBody => ({
  from: 'nango',
  type: 'sync',
  connectionId: 'u1',
  providerConfigKey: 'github',
  syncName: 'issues',
  syncVariant: 'base',
  model: 'Issue',
  syncType: 'INCREMENTAL',
  success,
  ...(success && { responseResults: { added, updated: 0, deleted: 0 } }),
});

describe('webhook bodies and signatures', () => {
  it('serialises compact, with keys sorted at every level and undefined fields left out', () => {
    expect(stableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined }, e: null })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1,"e":null}',
    );
  });

  it('signs as contract E.1 says: the official SDK 0.71.4 accepts the body, refuses a tampered one or another key', () => {
    const body = stableJson(auth('creation'));
    const headers = webhookHeaders(body, 'sk-test-signing');
    expect(headers).toMatchObject({ 'Content-Type': 'application/json', 'User-Agent': expect.any(String) });
    expect(headers['X-Nango-Hmac-Sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(headers['X-Nango-Signature']).toMatch(/^[0-9a-f]{64}$/);
    const sdk = officialNango('sk-test-signing');
    expect(sdk.verifyIncomingWebhookRequest(body, headers)).toBe(true);
    expect(sdk.verifyIncomingWebhookRequest(body.replace('u1', 'u2'), headers)).toBe(false);
    expect(officialNango('other').verifyIncomingWebhookRequest(body, headers)).toBe(false);
    expect(sdk.verifyWebhookSignature(headers['X-Nango-Signature'] ?? '', JSON.parse(body))).toBe(true);
    expect(webhookHeaders(body, undefined)).toEqual({ 'Content-Type': 'application/json', 'User-Agent': expect.any(String) });
  });
});

describe('webhook switches and URLs', () => {
  it('puts each body under its switch', () => {
    const off = (key: keyof WebhookSettings) => ({ ...SETTINGS, [key]: false });
    expect(isSwitchedOn(auth('creation'), SETTINGS)).toBe(true);
    expect(isSwitchedOn(auth('creation'), off('webhookOnAuthCreation'))).toBe(false);
    expect(isSwitchedOn(auth('override'), off('webhookOnAuthCreation'))).toBe(false);
    expect(isSwitchedOn(auth('refresh', false), off('webhookOnAuthCreation'))).toBe(true);
    expect(isSwitchedOn(auth('refresh', false), off('webhookOnAuthRefreshError'))).toBe(false);
    const action: WebhookBody = {
      from: 'nango',
      type: 'async_action',
      connectionId: 'u1',
      providerConfigKey: 'github',
      payload: { id: 'a', statusUrl: '/action/a' },
    };
    expect(isSwitchedOn(action, SETTINGS)).toBe(true);
    expect(isSwitchedOn(action, off('webhookOnAsyncActionCompletion'))).toBe(false);
    expect(isSwitchedOn(sync(true, 3), SETTINGS)).toBe(true);
    expect(isSwitchedOn(sync(true, 0), SETTINGS)).toBe(false);
    expect(isSwitchedOn(sync(true, 0), { ...SETTINGS, webhookOnSyncCompletionAlways: true })).toBe(true);
    expect(isSwitchedOn(sync(false), SETTINGS)).toBe(true);
    expect(isSwitchedOn(sync(false), off('webhookOnSyncError'))).toBe(false);
  });

  it('sends to the primary and secondary URLs; an override replaces the primary and drops the secondary', () => {
    expect(targetUrls(SETTINGS)).toEqual(['http://primary.test/hook', 'http://secondary.test/hook']);
    expect(targetUrls(SETTINGS, { urlOverride: 'http://mine.test/' })).toEqual(['http://mine.test/']);
    expect(targetUrls({ ...SETTINGS, webhookSecondaryUrl: 'http://primary.test/hook' })).toEqual(['http://primary.test/hook']);
    expect(targetUrls({ ...SETTINGS, webhookUrl: undefined, webhookSecondaryUrl: undefined })).toEqual([]);
  });

  it('backs off exponentially with jitter, and reads Retry-After in seconds or as a date', () => {
    expect(backoffMs(1, 1000, () => 0.5)).toBe(1000);
    expect(backoffMs(3, 1000, () => 0.5)).toBe(4000);
    expect(backoffMs(3, 1000, () => 0)).toBe(2000);
    expect(backoffMs(3, 1000, () => 0.999)).toBeLessThan(6000);
    expect(backoffMs(40, 1000, () => 0.5)).toBe(3_600_000); // capped at an hour
    expect(retryAfterMs('2', 0)).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});

describe('the outbox', () => {
  const logger = createLogger('silent');
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:', testCipher());
  });
  afterEach(() => store.close());

  it('stores one delivery per URL, the body as compact sorted JSON, and nothing when switched off or without URL', async () => {
    const outbox = new WebhookOutbox(store.webhooks, SETTINGS, logger);
    await outbox.enqueue(auth('creation'));
    const stored = await store.webhooks.list();
    expect(stored.map((d) => d.url).sort()).toEqual(['http://primary.test/hook', 'http://secondary.test/hook']);
    expect(stored[0]?.body).toBe(stableJson(auth('creation')));
    expect(stored[0]?.state).toBe('pending');

    await new WebhookOutbox(store.webhooks, { ...SETTINGS, webhookOnAuthCreation: false }, logger).enqueue(auth('creation'));
    await new WebhookOutbox(store.webhooks, { ...SETTINGS, webhookOnAuthRefreshError: false }, logger).enqueue(
      auth('refresh', false),
    );
    await new WebhookOutbox(
      store.webhooks,
      { ...SETTINGS, webhookUrl: undefined, webhookSecondaryUrl: undefined },
      logger,
    ).enqueue(auth('creation'));
    expect(await store.webhooks.list()).toHaveLength(2);
    await outbox.enqueue(auth('override'), { urlOverride: 'http://mine.test/' });
    expect((await store.webhooks.list()).filter((d) => d.url === 'http://mine.test/')).toHaveLength(1);
  });

  it('builds auth bodies with tags and end user when the Connection has them, and without when they cannot be read', async () => {
    const sent: WebhookBody[] = [];
    const webhooks: Webhooks = { environment: 'staging', enqueue: (body) => (sent.push(body), Promise.resolve()) };
    const event = { integration: 'gh', userId: 'u1', authMode: 'OAUTH2', provider: 'github', operation: 'creation' as const };
    await sendAuthWebhook(
      {
        webhooks,
        store: {
          attributes: () =>
            Promise.resolve({
              tags: { team: 'a' },
              endUser: { id: 'e1', email: 'e@x.test', tags: { plan: 'pro' }, organization: { id: 'org1' } },
            }),
        },
      },
      event,
    );
    await sendAuthWebhook(
      { webhooks, store: { attributes: () => Promise.reject(new Error('not written yet')) } },
      {
        ...event,
        operation: 'refresh',
        error: { type: 'refresh_token_rejected', description: 'invalid_grant' },
      },
    );
    const failing: Webhooks = { enqueue: () => Promise.reject(new Error('disk full')) };
    await expect(
      sendAuthWebhook({ webhooks: failing, store: { attributes: () => Promise.resolve(undefined) } }, event),
    ).resolves.toBe(undefined);
    expect(sent).toEqual([
      {
        from: 'nango',
        type: 'auth',
        connectionId: 'u1',
        providerConfigKey: 'gh',
        authMode: 'OAUTH2',
        provider: 'github',
        environment: 'staging',
        operation: 'creation',
        success: true,
        tags: { team: 'a' },
        endUser: { endUserId: 'e1', endUserEmail: 'e@x.test', organizationId: 'org1', tags: { plan: 'pro' } },
      },
      {
        from: 'nango',
        type: 'auth',
        connectionId: 'u1',
        providerConfigKey: 'gh',
        authMode: 'OAUTH2',
        provider: 'github',
        environment: 'staging',
        operation: 'refresh',
        success: false,
        error: { type: 'refresh_token_rejected', description: 'invalid_grant' },
      },
    ]);
  });

  it('warns at start, without any key, when webhooks are configured but cannot be signed', async () => {
    const lines: string[] = [];
    const capture = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const unsigned = new WebhookOutbox(store.webhooks, { ...SETTINGS, webhookSigningKey: undefined }, capture);
    unsigned.start();
    await unsigned.stop();
    const signed = new WebhookOutbox(store.webhooks, SETTINGS, capture);
    signed.start();
    await signed.stop();
    const warnings = lines.filter((line) => line.includes('unsigned'));
    expect(warnings).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('sk-test-signing');
  });
});
