/**
 * The refresher against a real OAuth 2 authorization server (oauth2-mock-server, see authServerProcess.mjs) and a real
 * SQLite file, without a broker: the token request, its failure classes, and one refresh at a time within a
 * process and across two stores on one file (as two worker processes would have).
 */
import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../../src/config/types';
import { rawQuery } from '../helpers/storeFactories';
import { CLIENT_ID } from './authServer';
import { failure, OLD, REFRESHER_STORE_KINDS, useRefresherHarness } from './refresherHarness';

jest.setTimeout(20_000);

describe.each(REFRESHER_STORE_KINDS)('on %s', (kind) => {
  const h = useRefresherHarness(kind);
  const { worker, acme, register } = h;

  describe('refresh', () => {
    it('refreshes a token within the margin with client credentials in the body, and stores the response', async () => {
      const { store, refresher } = await worker();
      const connection = await register(store);
      const fresh = await refresher.ensureFresh(acme(), connection);
      const calls = await h.auth.calls();
      expect(calls).toEqual([
        {
          grantType: 'refresh_token',
          refreshToken: OLD.refresh_token,
          clientId: CLIENT_ID,
          clientAuth: 'body',
          at: expect.any(Number),
        },
      ]);
      const raw = fresh.credentials.raw;
      expect(fresh.credentials).toMatchObject({ access_token: raw['access_token'], refresh_token: raw['refresh_token'] });
      expect(raw).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(Date.parse(fresh.credentials['expires_at'] as string) - Date.now()).toBeGreaterThan(3_500_000);
      expect((await store.get('acme', 'u1'))?.credentials).toEqual(fresh.credentials);
      // Fresh now: the next call uses it without asking the provider.
      await expect(refresher.ensureFresh(acme(), fresh)).resolves.toBe(fresh);
      expect(await h.auth.calls()).toHaveLength(1);
    });

    it('sends client credentials as HTTP Basic when client_auth is basic', async () => {
      const { store, refresher } = await worker();
      await refresher.ensureFresh(acme('client_auth: basic'), await register(store));
      expect((await h.auth.calls()).map((call) => [call.clientAuth, call.clientId])).toEqual([['basic', CLIENT_ID]]);
    });

    it('leaves alone a token outside the margin, one without expires_at, and other auth modes, unless forced', async () => {
      const { store, refresher } = await worker();
      const later = await register(store, { ...OLD, expires_in: 3_600 });
      await expect(refresher.ensureFresh(acme(), later)).resolves.toBe(later);
      await expect(refresher.ensureFresh(acme('refresh_margin_s: 3500'), later)).resolves.toBe(later);
      const apiKey = { ...acme(), authMode: 'API_KEY' } as IntegrationConfig;
      await expect(refresher.ensureFresh(apiKey, later, { force: true })).resolves.toBe(later);
      expect(await h.auth.calls()).toHaveLength(0);
      await expect(refresher.ensureFresh(acme('refresh_margin_s: 3700'), later)).resolves.not.toBe(later);
      expect(await h.auth.calls()).toHaveLength(1);
      // No expires_at: nothing says when it expires, so only a forced refresh touches it.
      const undated = { ...later, credentials: { access_token: 'a', refresh_token: 'r', raw: {} } };
      await store.updateCredentials('acme', 'u1', undated.credentials);
      await expect(refresher.ensureFresh(acme(), undated)).resolves.toBe(undated);
      expect(await h.auth.calls()).toHaveLength(1);
      await refresher.ensureFresh(acme(), undated, { force: true });
      expect(await h.auth.calls()).toHaveLength(2);
    });

    it('keeps the old refresh token when the provider sends none, and no expires_at when it says nothing', async () => {
      await h.auth.behave({ omitRefreshToken: true, expiresIn: null });
      const { store, refresher } = await worker();
      const fresh = await refresher.ensureFresh(acme(), await register(store));
      expect(fresh.credentials['refresh_token']).toBe(OLD.refresh_token);
      expect(fresh.credentials['access_token']).not.toBe(OLD.access_token);
      expect(fresh.credentials['expires_at']).toBeUndefined();
      expect(fresh.credentials.raw).not.toHaveProperty('refresh_token');
      await refresher.ensureFresh(acme(), fresh, { force: true });
      expect((await h.auth.calls()).map((call) => call.refreshToken)).toEqual([OLD.refresh_token, OLD.refresh_token]);
    });
  });

  describe('one refresh at a time', () => {
    it('shares one refresh among concurrent callers in a process', async () => {
      await h.auth.behave({ delayMs: 200 });
      const { store, refresher } = await worker();
      const connection = await register(store);
      const results = await Promise.all(Array.from({ length: 20 }, () => refresher.ensureFresh(acme(), connection)));
      expect(new Set(results.map((r) => r.credentials['access_token'])).size).toBe(1);
      expect(await h.auth.calls()).toHaveLength(1);
    });

    it('lets a second process use the token the first one refreshed, through the lock and a re-read', async () => {
      await h.auth.behave({ delayMs: 200 });
      const a = await worker();
      const b = await worker();
      const connection = await register(a.store);
      const calls = [a, b].flatMap(({ refresher }) =>
        Array.from({ length: 10 }, () => refresher.ensureFresh(acme(), connection)),
      );
      const results = await Promise.all(calls);
      expect(new Set(results.map((r) => r.credentials['access_token'])).size).toBe(1);
      expect(await h.auth.calls()).toHaveLength(1);
      expect(await rawQuery(a.all, 'SELECT owner FROM refresh_locks')).toEqual([]);
    });

    it('waits out the lease of a sibling that died holding the lock, within bounds', async () => {
      const { store, all, refresher } = await worker();
      const connection = await register(store);
      await all.refreshLocks.tryAcquire(connection.uuid, 'dead-sibling', 300);
      const startedAt = Date.now();
      await refresher.ensureFresh(acme(), connection);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);

      const impatient = await worker({ lockWaitMs: 100 });
      await all.refreshLocks.tryAcquire(connection.uuid, 'dead-sibling', 2_000);
      const error = await failure(impatient.refresher.ensureFresh(acme(), connection, { force: true }));
      expect(error).toMatchObject({ code: 'token_refresh_failed', message: expect.stringContaining('Another worker') });
    });
  });

  describe('failures', () => {
    it('marks a Connection whose refresh token was revoked, and fails fast afterwards', async () => {
      await h.auth.revoke(OLD.refresh_token);
      const { store, refresher } = await worker();
      const connection = await register(store);
      const error = await failure(refresher.ensureFresh(acme(), connection));
      expect(error.code).toBe('connection_needs_reauthorization');
      expect(error.message).toContain('invalid_grant: Token has been expired or revoked.');
      expect((await store.listByUserId('u1'))[0]).toMatchObject({
        authorization: 'needs_reauthorization',
        authorizationError: 'invalid_grant: Token has been expired or revoked.',
      });
      const marked = (await store.get('acme', 'u1')) as NangoConnection;
      expect((await failure(refresher.ensureFresh(acme(), marked))).code).toBe('connection_needs_reauthorization');
      expect((await failure(refresher.ensureFresh(acme(), connection))).code).toBe('connection_needs_reauthorization');
      expect(await h.auth.calls()).toHaveLength(1);
      // New credentials are a fresh start.
      await store.updateCredentials('acme', 'u1', {
        access_token: 'new-a',
        refresh_token: 'new-r',
        expires_at: new Date().toISOString(),
        raw: {},
      });
      await refresher.ensureFresh(acme(), (await store.get('acme', 'u1')) as NangoConnection);
      expect((await store.listByUserId('u1'))[0]?.authorization).toBe('ok');
    });

    it('retries a provider that is briefly unavailable', async () => {
      await h.auth.behave({ failNext: { status: 503, count: 2 } });
      const { store, refresher } = await worker();
      const fresh = await refresher.ensureFresh(acme(), await register(store));
      expect(fresh.credentials['access_token']).not.toBe(OLD.access_token);
      expect(await h.auth.calls()).toHaveLength(3);
    });

    it('reports a provider still unavailable after retries as retryable, then cools down', async () => {
      await h.auth.behave({ failNext: { status: 503, count: 3 } });
      const { store, refresher } = await worker();
      const expired = await register(store, { ...OLD, expires_at: new Date(Date.now() - 1_000).toISOString() });
      const error = await failure(refresher.ensureFresh(acme(), expired));
      expect(error).toMatchObject({
        code: 'token_refresh_failed',
        message: expect.stringContaining('HTTP 503 temporarily_unavailable'),
      });
      expect(await h.auth.calls()).toHaveLength(3);
      const during = await failure(refresher.ensureFresh(acme(), expired));
      expect(during).toMatchObject({ code: 'token_refresh_failed', message: expect.stringContaining('moments ago') });
      expect(await h.auth.calls()).toHaveLength(3);
      // A token that still works is used during the cool-down rather than failing the call.
      const stillValid = {
        ...expired,
        credentials: { ...expired.credentials, expires_at: new Date(Date.now() + 60_000).toISOString() },
      };
      await expect(refresher.ensureFresh(acme(), stillValid)).resolves.toBe(stillValid);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await expect(refresher.ensureFresh(acme(), expired)).resolves.toMatchObject({ authorization: 'ok' });
      expect(await h.auth.calls()).toHaveLength(4);
    });

    it('treats a token endpoint that does not answer in time as transient', async () => {
      await h.auth.behave({ delayMs: 2_500 });
      const { store, refresher } = await worker({ attempts: 2 });
      const connection = await register(store);
      // Within the margin but not expired: the call goes on with the current token.
      await expect(refresher.ensureFresh(acme(), connection)).resolves.toBe(connection);
      const error = await failure(refresher.ensureFresh(acme(), connection, { force: true }));
      expect(error).toMatchObject({ code: 'token_refresh_failed', message: expect.stringContaining('moments ago') });
      expect(h.logs.join('\n')).toContain('no answer within 1500 ms');
    });

    it('does not blame the user for bad client credentials', async () => {
      const { store, refresher } = await worker();
      const wrongSecret = { ...acme(), oauth: { ...acme().oauth, clientSecret: 'wrong' } } as IntegrationConfig;
      const error = await failure(refresher.ensureFresh(wrongSecret, await register(store), { force: true }));
      expect(error).toMatchObject({ code: 'token_refresh_failed', message: expect.stringContaining('HTTP 401 invalid_client') });
      expect((await store.listByUserId('u1'))[0]?.authorization).toBe('ok');
      expect(await h.auth.calls()).toHaveLength(1);
    });

    it('says when a refresh is impossible: forced without a refresh token, or expired without a token URL', async () => {
      const { store, refresher } = await worker();
      const noRefreshToken = await register(store, { access_token: 'a', expires_in: 60 });
      await expect(refresher.ensureFresh(acme(), noRefreshToken)).resolves.toBe(noRefreshToken);
      const forced = await failure(refresher.ensureFresh(acme(), noRefreshToken, { force: true }));
      expect(forced).toMatchObject({ code: 'refresh_not_possible', message: expect.stringContaining('no refresh_token') });
      const noTokenUrl = { ...acme(), oauth: undefined } as IntegrationConfig;
      const expired = { ...noRefreshToken, credentials: { ...OLD, expires_at: new Date(0).toISOString(), raw: {} } };
      const error = await failure(refresher.ensureFresh(noTokenUrl, expired));
      expect(error).toMatchObject({ code: 'refresh_not_possible', message: expect.stringContaining('oauth.token_url') });
      expect(await h.auth.calls()).toHaveLength(0);
    });
  });
});
