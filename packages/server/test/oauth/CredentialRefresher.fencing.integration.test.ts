/**
 * The refresher when the world moves during a refresh (real authorization server and SQLite file, no broker): new
 * credentials written by the app, a sibling taking over the lock, the Connection deleted, a lock that will not be
 * released, and a provider that quotes secrets back in its error text.
 */
import type { StoredCredentials } from '@nangohq/protocol';
import { WorkerError } from '../../src/errors';
import type { Store } from '../../src/store/Store';
import { rawQuery } from '../helpers/storeFactories';
import { CLIENT_ID } from './authServer';
import { failure, OLD, REFRESHER_STORE_KINDS, SECRETS, useRefresherHarness } from './refresherHarness';

jest.setTimeout(20_000);

describe.each(REFRESHER_STORE_KINDS)('on %s', (kind) => {
  const h = useRefresherHarness(kind);
  const { worker, acme, register } = h;

  afterEach(() => jest.restoreAllMocks());

  /** Credentials as the app registers them with updateConnectionCredentials after the user authorised again. */
  const FROM_APP: StoredCredentials = {
    access_token: 'app-access-token',
    refresh_token: 'app-refresh-token',
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    raw: {},
  };

  /** Resolves once `condition` holds, polling. */
  async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The holders of refresh locks in the database. Once a lock is seen, its refresh's token request has been sent. */
  async function lockOwners(store: Store): Promise<string[]> {
    const rows = await rawQuery<{ owner: string }>(store, 'SELECT owner FROM refresh_locks');
    return rows.map((row) => row.owner);
  }

  describe('credentials written during a refresh', () => {
    it('keeps what the app wrote during a slow token call, drops the refresh outcome, and returns the new credentials', async () => {
      await h.auth.behave({ delayMs: 400 });
      const { store, all, refresher } = await worker();
      const refreshing = refresher.ensureFresh(acme(), await register(store));
      await until(async () => (await lockOwners(all)).length === 1);
      expect(await store.updateCredentials('acme', 'u1', FROM_APP)).toBe(true);
      const result = await refreshing;
      expect(result.credentials).toEqual(FROM_APP);
      expect((await store.get('acme', 'u1'))?.credentials).toEqual(FROM_APP);
      expect(await h.auth.calls()).toHaveLength(1); // the refresh did happen; its outcome was dropped
      expect(h.logs.join('\n')).toContain('oauth refresh outcome dropped');
      expect(await lockOwners(all)).toEqual([]);
    });

    it('does not mark the Connection when the provider rejects a refresh token the app replaced meanwhile', async () => {
      await h.auth.revoke(OLD.refresh_token);
      await h.auth.behave({ delayMs: 400 });
      const { store, all, refresher } = await worker();
      const refreshing = refresher.ensureFresh(acme(), await register(store));
      await until(async () => (await lockOwners(all)).length === 1);
      await store.updateCredentials('acme', 'u1', FROM_APP);
      await expect(refreshing).resolves.toMatchObject({ authorization: 'ok', credentials: FROM_APP });
      expect((await store.listByUserId('u1'))[0]).toMatchObject({ authorization: 'ok' });
      expect((await store.listByUserId('u1'))[0]).not.toHaveProperty('authorizationError');
      expect((await h.auth.calls()).map((call) => call.refreshToken)).toEqual([OLD.refresh_token]);
    });

    it('does not spend the refresh token again once a sibling took over its lock, and uses what the sibling stored', async () => {
      await h.auth.behave({ failNext: { status: 503, count: 1 } });
      // A long pause before the retry, during which the sibling takes over.
      const { store, all, refresher } = await worker({ attempts: 2, backoffMs: 400 });
      const refreshing = refresher.ensureFresh(acme(), await register(store));
      await until(async () => (await h.auth.calls()).length === 1);
      await rawQuery(all, "UPDATE refresh_locks SET owner = 'sibling'");
      await store.updateCredentials('acme', 'u1', FROM_APP); // what the sibling refreshed
      await expect(refreshing).resolves.toMatchObject({ credentials: FROM_APP });
      expect(await h.auth.calls()).toHaveLength(1);
      expect(h.logs.join('\n')).toContain('oauth refresh lock lost before calling the token endpoint');
      expect(await lockOwners(all)).toEqual(['sibling']); // its lock is not ours to release
    });
  });

  describe('a Connection deleted during a refresh', () => {
    it('fails with connection_not_found rather than returning the token of a deleted Connection', async () => {
      await h.auth.behave({ delayMs: 400 });
      const { store, all, refresher } = await worker();
      const refreshing = refresher.ensureFresh(acme(), await register(store));
      await until(async () => (await lockOwners(all)).length === 1);
      expect(await store.delete('acme', 'u1')).toBe(true);
      expect(await failure(refreshing)).toMatchObject({ code: 'connection_not_found' });
      expect(await h.auth.calls()).toHaveLength(1);
    });
  });

  describe('a lock that cannot be released', () => {
    it('still returns the refreshed token, and the same refresher retakes its own lease for the next refresh', async () => {
      const { store, all, refresher } = await worker();
      const release = jest.spyOn(all.refreshLocks, 'release').mockImplementation(async () => {
        throw new WorkerError('storage_error', 'The database refused the operation (SQLITE_BUSY): database is locked');
      });
      const fresh = await refresher.ensureFresh(acme(), await register(store));
      expect(fresh.credentials['access_token']).not.toBe(OLD.access_token);
      expect(h.logs.join('\n')).toContain('oauth refresh lock not released');
      expect(await lockOwners(all)).toHaveLength(1);
      release.mockRestore();
      // Without retaking its own lease it would wait it out (3 s), past lockWaitMs (2 s), and fail.
      await refresher.ensureFresh(acme(), fresh, { force: true });
      expect(await h.auth.calls()).toHaveLength(2);
      expect(await lockOwners(all)).toEqual([]);
    });
  });

  describe('a provider that quotes secrets back', () => {
    it('keeps the refresh token and client credentials out of the error, the logs and the stored reason', async () => {
      await h.auth.behave({ rejectEchoing: true });
      const { store, refresher } = await worker();
      const error = await failure(refresher.ensureFresh(acme(), await register(store)));
      expect(error.code).toBe('connection_needs_reauthorization');
      expect(error.message).toContain('invalid_grant: refresh token [redacted] is not valid for client [redacted] ([redacted])');
      const stored = (await store.listByUserId('u1'))[0]?.authorizationError ?? '';
      expect(stored).toBe('invalid_grant: refresh token [redacted] is not valid for client [redacted] ([redacted])');
      for (const secret of [...SECRETS, CLIENT_ID]) {
        expect(error.message).not.toContain(secret);
        expect(h.logs.join('\n')).not.toContain(secret);
      }
    });
  });
});
