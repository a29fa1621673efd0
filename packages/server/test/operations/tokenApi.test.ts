import { NO_OPERATIONS } from '../../src/operationLog/OperationLog';
import type { NangoConnection, NangoMessage, StoredCredentials } from '@nangohq/protocol';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { ConnectionStore } from '../../src/store/Store';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationConfig, IntegrationsConfig } from '../../src/config/types';
import { WorkerError } from '../../src/errors';
import type { OperationContext } from '../../src/operations/OperationContext';
import { EncodedJson } from '../../src/broker/EncodedJson';
import { dispatch } from '../../src/rpc/dispatch';
import type { TokenRefresher } from '../../src/refresh/TokenRefresher';
import { testCipher } from '../helpers/testCipher';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';
import { NO_WEBHOOKS } from '../../src/webhooks/Webhooks';

const YAML = FOUR_AUTH_MODES_YAML;

const OAUTH2: StoredCredentials = {
  access_token: 'access-1',
  refresh_token: 'refresh-1',
  expires_at: '2030-01-01T00:00:00.000Z',
  raw: { access_token: 'access-1', refresh_token: 'refresh-1', expires_in: 3600, scope: 'chat' },
};

/** A refresher that records what it was asked and, when forced, hands out a new access token. */
class RecordingRefresher implements TokenRefresher {
  readonly calls: { integration: string; userId: string; force: boolean | undefined }[] = [];
  failure: WorkerError | undefined;

  async ensureFresh(integration: IntegrationConfig, connection: NangoConnection, options?: { force?: boolean }) {
    this.calls.push({ integration: integration.name, userId: connection.userId, force: options?.force });
    if (this.failure) throw this.failure;
    if (!options?.force) return connection;
    const raw = { access_token: 'access-2', expires_in: 3600 };
    return { ...connection, credentials: { ...connection.credentials, access_token: 'access-2', raw } };
  }
}

describe('token API handlers (:memory: store, recording refresher)', () => {
  let sqlite: SqliteStore;
  let store: ConnectionStore;
  let refresher: RecordingRefresher;
  let context: OperationContext;
  // What the caller gets: a reply the worker sends already encoded (getConnection, getMetadata), decoded.
  const call = async (message: NangoMessage) => {
    const value = await dispatch(context, message);
    return value instanceof EncodedJson ? (value.json === undefined ? undefined : JSON.parse(value.json)) : value;
  };
  const failure = (message: NangoMessage) =>
    call(message).then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as WorkerError,
    );

  beforeEach(async () => {
    sqlite = new SqliteStore(':memory:', testCipher());
    store = sqlite.connections;
    refresher = new RecordingRefresher();
    const config: IntegrationsConfig = parseIntegrationsConfig(YAML, {
      sourceName: 'integrations.yaml',
      integrationsDir: '/nowhere',
      fileExists: () => true,
    });
    context = {
      store,
      refresher,
      runner: undefined as never,
      idempotency: undefined as never,
      idempotencyTtlMs: 0,
      maxMetadataBytes: 64 * 1024,
      integrations: () => config,
      webhooks: NO_WEBHOOKS,
      log: NO_OPERATIONS,
    };
    await store.insert({ integration: 'slack', userId: '1', credentials: OAUTH2, additionalConfig: { channel: 'C1' } });
    const apiKey = { api_key: 'key-1', raw: { api_key: 'key-1' } };
    await store.insert({ integration: 'example', userId: '1', credentials: apiKey, additionalConfig: {} });
    const oauth1 = { oauth_token: 't-1', oauth_token_secret: 's-1', raw: { oauth_token: 't-1', oauth_token_secret: 's-1' } };
    await store.insert({ integration: 'twitter', userId: '2', credentials: oauth1, additionalConfig: {} });
    const basic = { username: 'me', password: 'pw', raw: { username: 'me', password: 'pw' } };
    await store.insert({ integration: 'basic', userId: '2', credentials: basic, additionalConfig: {} });
  });
  afterEach(() => sqlite.close());

  describe('getToken', () => {
    it('answers the token of each auth mode', async () => {
      await expect(call({ type: 'getToken', integration: 'slack', userId: '1' })).resolves.toBe('access-1');
      await expect(call({ type: 'getToken', integration: 'example', userId: '1' })).resolves.toBe('key-1');
      await expect(call({ type: 'getToken', integration: 'twitter', userId: '2' })).resolves.toEqual({
        oAuthToken: 't-1',
        oAuthTokenSecret: 's-1',
      });
      await expect(call({ type: 'getToken', integration: 'basic', userId: '2' })).resolves.toEqual({
        username: 'me',
        password: 'pw',
      });
    });

    it('goes through the refresher, forcing only when asked', async () => {
      await call({ type: 'getToken', integration: 'slack', userId: '1' });
      await expect(call({ type: 'getToken', integration: 'slack', userId: '1', forceRefresh: true })).resolves.toBe('access-2');
      expect(refresher.calls).toEqual([
        { integration: 'slack', userId: '1', force: false },
        { integration: 'slack', userId: '1', force: true },
      ]);
    });

    it("passes the refresher's errors on", async () => {
      refresher.failure = new WorkerError('connection_needs_reauthorization', 'revoked');
      await expect(failure({ type: 'getToken', integration: 'slack', userId: '1' })).resolves.toMatchObject({
        code: 'connection_needs_reauthorization',
      });
    });

    it('names the missing field, never a value, when the auth mode changed since the credentials were stored', async () => {
      await store.insert({ integration: 'example', userId: 'old', credentials: OAUTH2, additionalConfig: {} });
      const error = await failure({ type: 'getToken', integration: 'example', userId: 'old' });
      expect(error).toMatchObject({ code: 'invalid_credentials', message: expect.stringContaining('have no api_key') });
      expect(error.message).not.toContain('access-1');
    });

    it('refuses an unknown integration and a missing Connection', async () => {
      await expect(failure({ type: 'getToken', integration: 'nope', userId: '1' })).resolves.toMatchObject({
        code: 'unknown_integration',
      });
      await expect(failure({ type: 'getToken', integration: 'slack', userId: 'ghost' })).resolves.toMatchObject({
        code: 'connection_not_found',
      });
      expect(refresher.calls).toEqual([]);
    });
  });

  describe('getRawTokenResponse and getConnection', () => {
    it('answers the raw response behind the current token', async () => {
      await expect(call({ type: 'getRawTokenResponse', integration: 'slack', userId: '1' })).resolves.toEqual(OAUTH2.raw);
      expect(refresher.calls).toEqual([{ integration: 'slack', userId: '1', force: false }]);
    });

    it('leaves the refresh token out of credentials and raw unless asked for', async () => {
      const connection = (await call({ type: 'getConnection', integration: 'slack', userId: '1' })) as NangoConnection;
      expect(connection).toMatchObject({ integration: 'slack', userId: '1', additionalConfig: { channel: 'C1' } });
      expect(connection.credentials).toEqual({
        access_token: 'access-1',
        expires_at: '2030-01-01T00:00:00.000Z',
        raw: { access_token: 'access-1', expires_in: 3600, scope: 'chat' },
      });
      expect(JSON.stringify(connection)).not.toContain('refresh-1');
      const withToken = (await call({
        type: 'getConnection',
        integration: 'slack',
        userId: '1',
        refreshToken: true,
      })) as NangoConnection;
      expect(withToken.credentials).toEqual(OAUTH2);
      expect((await store.get('slack', '1'))?.credentials).toEqual(OAUTH2); // the stored credentials are untouched
    });

    it('forces a refresh when asked', async () => {
      const connection = (await call({
        type: 'getConnection',
        integration: 'slack',
        userId: '1',
        forceRefresh: true,
      })) as NangoConnection;
      expect(connection.credentials['access_token']).toBe('access-2');
      expect(refresher.calls.at(-1)?.force).toBe(true);
    });
  });

  describe('listConnections and deleteConnection', () => {
    it("lists every Connection, or one user's, in spec 4's shape without credentials", async () => {
      const all = await call({ type: 'listConnections' });
      expect(all).toEqual({
        connections: [
          { connection_id: '2', provider: 'basic', created: expect.any(String) },
          { connection_id: '1', provider: 'example', created: expect.any(String) },
          { connection_id: '1', provider: 'slack', created: expect.any(String) },
          { connection_id: '2', provider: 'twitter', created: expect.any(String) },
        ],
      });
      expect(JSON.stringify(all)).not.toMatch(/access-1|refresh-1|key-1|s-1|pw/);
      await expect(call({ type: 'listConnections', userId: '2' })).resolves.toEqual({
        connections: [
          { connection_id: '2', provider: 'basic', created: expect.any(String) },
          { connection_id: '2', provider: 'twitter', created: expect.any(String) },
        ],
      });
      await expect(call({ type: 'listConnections', userId: 'nobody' })).resolves.toEqual({ connections: [] });
      expect(refresher.calls).toEqual([]);
    });

    it('deletes a Connection, then finds none', async () => {
      await expect(call({ type: 'deleteConnection', integration: 'slack', userId: '1' })).resolves.toBeUndefined();
      expect(await store.get('slack', '1')).toBeUndefined();
      await expect(failure({ type: 'deleteConnection', integration: 'slack', userId: '1' })).resolves.toMatchObject({
        code: 'connection_not_found',
      });
      expect(await store.get('example', '1')).toBeDefined();
    });
  });

  describe('metadata', () => {
    it('reads, replaces and merges (shallowly) the additionalConfig', async () => {
      await expect(call({ type: 'getMetadata', integration: 'slack', userId: '1' })).resolves.toEqual({ channel: 'C1' });
      await call({ type: 'setMetadata', integration: 'slack', userIds: ['1'], metadata: { plan: 'pro', nested: { a: 1 } } });
      expect(await store.getConfig('slack', '1')).toEqual({ plan: 'pro', nested: { a: 1 } });
      await call({ type: 'updateMetadata', integration: 'slack', userIds: ['1'], metadata: { nested: { b: 2 }, extra: true } });
      expect(await store.getConfig('slack', '1')).toEqual({ plan: 'pro', nested: { b: 2 }, extra: true });
    });

    it('changes several Connections at once, a repeated user id once', async () => {
      await store.insert({ integration: 'slack', userId: '2', credentials: OAUTH2, additionalConfig: { keep: 2 } });
      await call({ type: 'updateMetadata', integration: 'slack', userIds: ['1', '2', '1'], metadata: { plan: 'team' } });
      expect(await store.getConfig('slack', '1')).toEqual({ channel: 'C1', plan: 'team' });
      expect(await store.getConfig('slack', '2')).toEqual({ keep: 2, plan: 'team' });
      await call({ type: 'setMetadata', integration: 'slack', userIds: ['1', '2'], metadata: {} });
      expect(await store.getConfig('slack', '1')).toEqual({});
      expect(await store.getConfig('slack', '2')).toEqual({});
    });

    it.each(['setMetadata', 'updateMetadata'] as const)('%s changes nothing when a user id has no Connection', async (type) => {
      const before = await store.get('slack', '1');
      const one = await failure({ type, integration: 'slack', userIds: ['1', 'ghost'], metadata: { x: 1 } });
      expect(one).toMatchObject({ code: 'connection_not_found', message: expect.stringContaining("user 'ghost'") });
      const two = await failure({ type, integration: 'slack', userIds: ['g1', '1', 'g2'], metadata: { x: 1 } });
      expect(two.message).toContain("users 'g1', 'g2' on integration 'slack': nothing was changed");
      expect(await store.get('slack', '1')).toEqual(before);
    });

    it('refuses getMetadata for a missing Connection', async () => {
      await expect(failure({ type: 'getMetadata', integration: 'slack', userId: 'ghost' })).resolves.toMatchObject({
        code: 'connection_not_found',
      });
    });
  });
});
