/**
 * The background check of credentials with a clock the test drives: a real OAuth 2 authorization server
 * (oauth2-mock-server, counting its calls), a real API playing a provider's verification endpoint, a real webhook
 * receiver, and one SQLite file or PostgreSQL database per test, shared by one or two "workers" (a store, a refresher
 * and a BackgroundRefresh each, as worker processes have). Cycles are run by the test (runCycle), never waited for.
 */
import { tmpdir } from 'node:os';
import type { NangoConnection } from '@nangohq/protocol';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig } from '../../src/config/types';
import { normaliseCredentials } from '../../src/authModes/normaliseCredentials';
import { createLogger } from '../../src/logger';
import type { Provider } from '../../src/providers/Provider';
import { BackgroundRefresh, type CycleSummary } from '../../src/refresh/BackgroundRefresh';
import type { BackgroundRefreshOptions, CheckKind, CheckOutcome } from '../../src/refresh/BackgroundRefreshOptions';
import { CredentialRefresher } from '../../src/refresh/CredentialRefresher';
import type { Store } from '../../src/store/Store';
import { WebhookOutbox } from '../../src/webhooks/WebhookOutbox';
import type { WebhookSettings } from '../../src/webhooks/webhookSettings';
import { catalogOf } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';
import { FAST, OLD, REFRESHER_STORE_KINDS, SECRETS, useRefresherHarness } from '../oauth/refresherHarness';
import { startReceiver, type Receiver } from '../webhooks/webhookReceiver';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** acme's refresh margin (the default): a token is refreshed when it expires within 15 minutes of the next cycle. */
const MARGIN = 15 * MIN;
const GOOD_KEY = 'the-good-api-key-never-logged';

describe.each(REFRESHER_STORE_KINDS)('the background check of credentials on %s', (kind) => {
  const h = useRefresherHarness(kind);

  // Nested, so that these hooks run inside the harness's: the outboxes stop before its stores close.
  describe('with a clock the test drives', () => {
    let clock: number;
    const now = (): number => clock;
    let receiver: Receiver;
    let log: RecordingOperationLog;
    let api: ApiServer | undefined;
    const outboxes: WebhookOutbox[] = [];
    const logger = createLogger('debug', { write: (line: string) => void h.logs.push(line) });

    beforeEach(async () => {
      clock = Date.now();
      receiver = await startReceiver();
      log = new RecordingOperationLog();
    });

    afterEach(async () => {
      for (const outbox of outboxes.splice(0)) await outbox.stop();
      await receiver.close();
      await api?.close();
      api = undefined;
      const seen = [h.logs.join('\n'), JSON.stringify(log.all()), receiver.received.map((r) => r.body).join('\n')].join('\n');
      for (const secret of [...SECRETS, GOOD_KEY]) expect(seen).not.toContain(secret);
    });

    /** One worker process's parts on the test's database: its store, refresher and background check. */
    async function worker(integrations: IntegrationsConfig, options: Partial<BackgroundRefreshOptions> = {}) {
      const { all } = await h.worker();
      const outbox = new WebhookOutbox(all.webhooks, webhookSettings(receiver.url), logger, { pollMs: 50 });
      outbox.start();
      outboxes.push(outbox);
      const refresher = new CredentialRefresher(all.connections, all.refreshLocks, logger, { ...FAST, now }, outbox, log);
      const background = new BackgroundRefresh({
        checks: all.credentialChecks,
        connections: all.connections,
        refresher,
        integrations: () => integrations,
        logger,
        webhooks: outbox,
        log,
        now,
        ...options,
      });
      return { all, background };
    }

    const acme = (): IntegrationsConfig => ({ integrations: new Map([['acme', h.acme()]]) });

    /** u1's OAuth 2 Connection, its token expiring `inMs` from the test's clock (or never). */
    function register(all: Store, inMs: number | undefined, userId = 'u1', refreshToken = OLD.refresh_token) {
      const credentials = { ...OLD, refresh_token: refreshToken, raw: { ...OLD, refresh_token: refreshToken } };
      if (inMs !== undefined) Object.assign(credentials, { expires_at: new Date(clock + inMs).toISOString() });
      return all.connections.insert({ integration: 'acme', userId, credentials, additionalConfig: {} });
    }

    const get = async (all: Store, integration = 'acme', userId = 'u1'): Promise<NangoConnection> =>
      (await all.connections.get(integration, userId)) as NangoConnection;

    it('refreshes a token before it expires with no call from the app, once', async () => {
      const { all, background } = await worker(acme());
      await register(all, 2 * HOUR);
      expect(await background.runCycle()).toMatchObject({ planned: 1, refreshed: 0 });
      clock += 2 * HOUR - MARGIN - 2 * MIN; // a cycle before the one that must refresh it
      expect(acted(await background.runCycle())).toEqual({});
      expect(await h.auth.calls()).toHaveLength(0);

      clock += MIN; // the token expires within its margin before the next cycle
      expect(acted(await background.runCycle())).toEqual({ refreshed: 1 });
      const calls = await h.auth.calls();
      expect(calls).toMatchObject([{ grantType: 'refresh_token', refreshToken: OLD.refresh_token }]);
      const fresh = await get(all);
      expect(fresh.credentials['access_token']).not.toBe(OLD.access_token);
      expect(fresh.authorization).toBe('ok');
      // The new token's expiry is on the test's clock: an hour (the server's expires_in) from now.
      expect(Date.parse(fresh.credentials['expires_at'] as string)).toBe(clock + HOUR);
      expect(log.all()).toMatchObject([{ kind: 'refresh', name: 'oauth2', status: 'success', fields: { background: 'expiry' } }]);

      clock += MIN; // the next cycle: nothing is due
      expect(acted(await background.runCycle())).toEqual({});
      clock += HOUR - MARGIN - 3 * MIN; // a cycle before the new token is due in turn
      expect(acted(await background.runCycle())).toEqual({});
      clock += MIN;
      expect(acted(await background.runCycle())).toEqual({ refreshed: 1 });
      expect(await h.auth.calls()).toHaveLength(2);
    });

    it('uses a refresh token whose access token never expires once a day, and not when told not to', async () => {
      await h.auth.behave({ expiresIn: null }); // the provider's tokens do not expire either
      const { all, background } = await worker(acme());
      await register(all, undefined);
      expect(await background.runCycle()).toMatchObject({ planned: 1 });
      clock += DAY - MIN;
      expect(acted(await background.runCycle())).toEqual({});
      expect(await h.auth.calls()).toHaveLength(0);

      clock += MIN;
      expect(acted(await background.runCycle())).toEqual({ refreshed: 1 });
      const first = await get(all);
      expect(first.credentials['expires_at']).toBeUndefined();
      clock += DAY - MIN;
      expect(acted(await background.runCycle())).toEqual({});
      clock += MIN;
      expect(acted(await background.runCycle())).toEqual({ refreshed: 1 });
      // Each exercise used the refresh token the one before stored (the server rotates them).
      expect((await h.auth.calls()).map((call) => call.refreshToken)).toEqual([
        OLD.refresh_token,
        first.credentials['refresh_token'],
      ]);
      expect(log.all().map((op) => op.fields['background'])).toEqual(['exercise', 'exercise']);

      const off = await worker(acme(), { exerciseMs: 0 });
      await register(off.all, undefined, 'u2', 'another-refresh-token');
      expect(await off.background.runCycle()).toMatchObject({ planned: 1 });
      clock += 3 * DAY; // with the exercise off, a token that does not expire is left alone
      expect(acted(await off.background.runCycle())).toEqual({});
      expect(await h.auth.calls()).toHaveLength(2);
    });

    it('finds a revoked refresh token within one cycle with no call from the app: marked, webhook, operation, then left alone', async () => {
      const { all, background } = await worker(acme());
      await register(all, 30 * DAY);
      await h.auth.revoke(OLD.refresh_token);
      expect(await background.runCycle()).toMatchObject({ planned: 1 });
      clock += DAY; // the first cycle after its refresh token is due for use

      expect(acted(await background.runCycle())).toEqual({ needs_reauthorization: 1 });
      const marked = await get(all);
      expect(marked.authorization).toBe('needs_reauthorization');
      expect(marked.authorizationError).toContain('invalid_grant');
      await receiver.waitFor((got) => got.length >= 1);
      expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({
        type: 'auth',
        operation: 'refresh',
        success: false,
        connectionId: 'u1',
        providerConfigKey: 'acme',
        error: { type: 'refresh_token_rejected', description: expect.stringContaining('invalid_grant') },
      });
      expect(log.all()).toMatchObject([
        {
          kind: 'refresh',
          status: 'failed',
          connectionId: 'u1',
          error: { code: 'connection_needs_reauthorization' },
          fields: { background: 'exercise' },
        },
      ]);

      // No further attempt, cycle after cycle: only new credentials bring it back.
      for (const step of [MIN, DAY, 30 * DAY]) {
        clock += step;
        expect(acted(await background.runCycle())).toEqual({});
      }
      expect(await h.auth.calls()).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
      await all.connections.updateCredentials('acme', 'u1', { ...OLD, refresh_token: 'a-new-one', raw: {} });
      expect(await background.runCycle()).toMatchObject({ planned: 1 });
    });

    it('tries a refresh that failed transiently again at the next cycle, without marking the Connection', async () => {
      const counted: Array<[CheckKind, CheckOutcome]> = [];
      const { all, background } = await worker(acme(), { counter: { count: (...args) => void counted.push(args) } });
      await register(all, HOUR);
      await h.auth.behave({ failNext: { status: 503, count: 3 } }); // every attempt of one refresh
      clock += HOUR - MARGIN - MIN;
      expect(acted(await background.runCycle())).toEqual({ transient: 1 });
      expect((await get(all)).authorization).toBe('ok');
      expect(await h.auth.calls()).toHaveLength(3);
      expect(receiver.received).toHaveLength(0);

      clock += MIN;
      expect(acted(await background.runCycle())).toEqual({ refreshed: 1 });
      expect(counted).toEqual([
        ['refresh', 'transient'],
        ['refresh', 'success'],
      ]);
    });

    it('has two workers on one database refresh each due Connection once', async () => {
      const a = await worker(acme(), { concurrency: 2, batchSize: 3 });
      const b = await worker(acme(), { concurrency: 2, batchSize: 3 });
      const tokens = Array.from({ length: 12 }, (_, index) => `refresh-token-${index}`);
      for (const [index, token] of tokens.entries()) await register(a.all, 2 * HOUR, `u${index}`, token);
      await h.auth.behave({ delayMs: 50 }); // refreshes overlap the other worker's claims
      clock += 2 * HOUR;

      const [first, second] = await Promise.all([a.background.runCycle(), b.background.runCycle()]);
      expect(first.refreshed + second.refreshed).toBe(12);
      expect(Math.min(first.refreshed, second.refreshed)).toBeGreaterThan(0); // the work was shared, not queued
      expect(first.error + second.error + first.transient + second.transient).toBe(0);
      const calls = await h.auth.calls();
      expect(calls.map((call) => call.refreshToken).sort()).toEqual([...tokens].sort());
      clock += MIN;
      const again = await Promise.all([a.background.runCycle(), b.background.runCycle()]);
      expect(again.map(acted)).toEqual([{}, {}]);
      expect(await h.auth.calls()).toHaveLength(12);
    });

    it('gives back, when it stops, the claims it has not looked at, for another worker to take at once', async () => {
      const a = await worker(acme(), { concurrency: 1, batchSize: 4 });
      for (let index = 0; index < 4; index++) await register(a.all, 10 * MIN, `u${index}`, `refresh-token-${index}`);
      await h.auth.behave({ delayMs: 400 });
      const cycle = a.background.runCycle();
      while ((await h.auth.calls()).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await a.background.stop(); // the refresh in flight ends; those still waiting are given back
      const stopped = await cycle;
      expect(stopped.refreshed + stopped.released).toBe(4);
      expect(stopped.released).toBeGreaterThan(0);

      const b = await worker(acme());
      expect(acted(await b.background.runCycle())).toEqual({ refreshed: stopped.released });
      expect((await h.auth.calls()).map((call) => call.refreshToken).sort()).toEqual(
        [0, 1, 2, 3].map((index) => `refresh-token-${index}`),
      );
    });

    describe('static credentials with a verification request', () => {
      let status = 200;
      let delayMs = 0;

      beforeEach(async () => {
        status = 200;
        delayMs = 0;
        api = await startApiServer((request) => ({
          status: request.headers['x-api-key'] === GOOD_KEY ? status : 401,
          body: status === 200 ? { me: 'ok' } : { error: 'no' },
          delayMs,
        }));
      });

      /** An API-key integration whose catalog entry names a verification request on the test's API. */
      function keyed(): IntegrationsConfig {
        const provider = {
          name: 'keyhub',
          auth_mode: 'API_KEY',
          proxy: {
            base_url: api?.url,
            headers: { 'X-API-Key': '${apiKey}' },
            verification: { method: 'GET', endpoints: ['/me'] },
          },
        } as Provider;
        const yaml = 'integrations:\n  keyed:\n    provider: keyhub\n    http_timeout_ms: 500\n';
        return parseIntegrationsConfig(yaml, {
          sourceName: 'integrations.yaml',
          integrationsDir: tmpdir(),
          providers: catalogOf(provider),
        });
      }

      async function registerKey(all: Store): Promise<void> {
        const credentials = normaliseCredentials('keyed', 'API_KEY', { api_key: GOOD_KEY });
        await all.connections.insert({ integration: 'keyed', userId: 'k1', credentials, additionalConfig: {} });
      }

      it('are verified again every day; a refusal marks the Connection, sends the webhook, and ends the checks', async () => {
        const { all, background } = await worker(keyed());
        await registerKey(all);
        expect(await background.runCycle()).toMatchObject({ planned: 1 });
        clock += DAY - MIN;
        expect(acted(await background.runCycle())).toEqual({});
        expect(api?.requests).toHaveLength(0);

        clock += MIN;
        expect(acted(await background.runCycle())).toEqual({ verified: 1 });
        expect(api?.requests).toMatchObject([{ method: 'GET', url: '/me', headers: { 'x-api-key': GOOD_KEY } }]);
        expect(log.all()).toMatchObject([
          { kind: 'refresh', name: 'verification', status: 'success', fields: { endpoint: '/me' } },
        ]);

        status = 403; // the key was revoked
        clock += DAY;
        expect(acted(await background.runCycle())).toEqual({ needs_reauthorization: 1 });
        const marked = await get(all, 'keyed', 'k1');
        expect(marked.authorization).toBe('needs_reauthorization');
        expect(marked.authorizationError).toBe('the provider refused the credentials: verification GET /me answered 403');
        await receiver.waitFor((got) => got.length >= 1);
        expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({
          type: 'auth',
          operation: 'refresh',
          success: false,
          authMode: 'API_KEY',
          connectionId: 'k1',
          providerConfigKey: 'keyed',
          error: { type: 'connection_test_failed', description: expect.stringContaining('answered 403') },
        });
        expect(log.all()[1]).toMatchObject({
          name: 'verification',
          status: 'failed',
          error: { code: 'connection_needs_reauthorization' },
          fields: { answer: 403 },
        });

        status = 200;
        clock += 2 * DAY;
        expect(acted(await background.runCycle())).toEqual({});
        expect(api?.requests).toHaveLength(2);
      });

      it('are tried again at the next cycle, unmarked, after a timeout or a 5xx', async () => {
        const { all, background } = await worker(keyed());
        await registerKey(all);
        await background.runCycle();
        delayMs = 1_500; // past the integration's 500 ms
        clock += DAY;
        expect(acted(await background.runCycle())).toEqual({ transient: 1 });
        expect((await get(all, 'keyed', 'k1')).authorization).toBe('ok');

        delayMs = 0;
        status = 503;
        clock += MIN;
        expect(acted(await background.runCycle())).toEqual({ transient: 1 });
        status = 200;
        clock += MIN;
        expect(acted(await background.runCycle())).toEqual({ verified: 1 });
        expect(api?.requests).toHaveLength(3);
        expect(receiver.received).toHaveLength(0);
        expect(log.all().map((op) => [op.status, op.error?.code])).toEqual([
          ['failed', 'verification_failed'],
          ['failed', 'verification_failed'],
          ['success', undefined],
        ]);
      });
    });
  });
});

/** The outcomes of a cycle that did something, without the looks that only planned. */
function acted(summary: CycleSummary): Partial<CycleSummary> {
  return Object.fromEntries(Object.entries(summary).filter(([key, count]) => key !== 'planned' && count > 0));
}

function webhookSettings(url: string): WebhookSettings {
  return {
    webhookUrl: url,
    webhookSecondaryUrl: undefined,
    webhookSigningKey: 'test-signing-key',
    webhookOnAuthCreation: true,
    webhookOnAuthRefreshError: true,
    webhookOnAsyncActionCompletion: true,
    webhookOnSyncCompletionAlways: false,
    webhookOnSyncError: true,
    webhookRetryBaseMs: 100,
    webhookMaxAttempts: 5,
    webhookTimeoutMs: 3_000,
    environment: 'prod',
  };
}
