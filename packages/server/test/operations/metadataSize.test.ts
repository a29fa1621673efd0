import pino from 'pino';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { NO_OPERATIONS } from '../../src/operationLog/OperationLog';
import type { OperationContext } from '../../src/operations/OperationContext';
import { saveConnection } from '../../src/operations/saveConnection';
import { processRequest } from '../../src/rpc/processRequest';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { NO_WEBHOOKS } from '../../src/webhooks/Webhooks';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';
import { testCipher } from '../helpers/testCipher';

/** The limit of these tests: small, so that the payloads stay small too. */
const LIMIT = 1024;

/** An object whose JSON is exactly `bytes` long: `{"blob":"xxx…"}`. */
function ofSize(bytes: number): Record<string, unknown> {
  return { blob: 'x'.repeat(bytes - '{"blob":""}'.length) };
}

/**
 * NANGO_MAX_METADATA_BYTES at the RabbitMQ door: every message that sets a Connection's metadata (additionalConfig)
 * is refused with metadata_too_large over the limit, naming the field, the size and the limit, and nothing is stored.
 */
describe('the metadata size limit over RPC (processRequest, :memory: store)', () => {
  let sqlite: SqliteStore;
  let context: OperationContext;
  /** Sends a message as the worker gets it (on the credentials queue, non-persistent) and decodes the reply. */
  const send = async (message: Record<string, unknown>) => {
    const delivery = { persistent: false, fromCredentialsQueue: true };
    const { reply } = await processRequest(context, Buffer.from(JSON.stringify(message)), pino({ level: 'silent' }), delivery);
    return JSON.parse(reply.toString('utf8')) as { success: boolean; errorCode?: string; errorMsg?: string };
  };
  const config = (userId: string) => sqlite.connections.getConfig('example', userId);
  const key = { api_key: 'k-1' };

  beforeEach(async () => {
    sqlite = new SqliteStore(':memory:', testCipher());
    const integrations = parseIntegrationsConfig(FOUR_AUTH_MODES_YAML, {
      sourceName: 'integrations.yaml',
      integrationsDir: '/nowhere',
      fileExists: () => true,
    });
    context = {
      store: sqlite.connections,
      refresher: undefined as never,
      runner: undefined as never,
      idempotency: undefined as never,
      idempotencyTtlMs: 0,
      maxMetadataBytes: LIMIT,
      integrations: () => integrations,
      webhooks: NO_WEBHOOKS,
      log: NO_OPERATIONS,
    };
    for (const userId of ['a', 'b']) {
      expect(
        await send({
          type: 'registerConnection',
          integration: 'example',
          userId,
          credentials: key,
          additionalConfig: { keep: userId },
        }),
      ).toEqual({ success: true });
    }
  });
  afterEach(() => sqlite.close());

  it('takes metadata of exactly the limit, and refuses one byte more, naming the size and the limit', async () => {
    const at = ofSize(LIMIT);
    expect(await send({ type: 'setMetadata', integration: 'example', userIds: ['a'], metadata: at })).toEqual({ success: true });
    expect(await config('a')).toEqual(at);
    const reply = await send({ type: 'setMetadata', integration: 'example', userIds: ['a', 'b'], metadata: ofSize(LIMIT + 1) });
    expect(reply).toEqual({
      success: false,
      errorCode: 'metadata_too_large',
      errorMsg: expect.stringContaining(
        `metadata is ${LIMIT + 1} bytes as JSON, over the limit of ${LIMIT} bytes (NANGO_MAX_METADATA_BYTES): nothing was stored`,
      ),
    });
    expect(await config('a')).toEqual(at);
    expect(await config('b')).toEqual({ keep: 'b' });
  });

  it('counts bytes of UTF-8, not characters', async () => {
    const accented = { blob: 'é'.repeat(LIMIT / 2) }; // fewer characters than the limit, more bytes
    const reply = await send({ type: 'setMetadata', integration: 'example', userIds: ['a'], metadata: accented });
    expect(reply.errorCode).toBe('metadata_too_large');
    expect(reply.errorMsg).toContain(`is ${Buffer.byteLength(JSON.stringify(accented))} bytes`);
  });

  it('refuses registerConnection with too large an additionalConfig, and registers nothing', async () => {
    const reply = await send({
      type: 'registerConnection',
      integration: 'example',
      userId: 'c',
      credentials: key,
      additionalConfig: ofSize(LIMIT + 1),
    });
    expect(reply.errorCode).toBe('metadata_too_large');
    expect(reply.errorMsg).toMatch(/^additionalConfig is 1025 bytes as JSON, over the limit of 1024 bytes/);
    expect(await sqlite.connections.get('example', 'c')).toBeUndefined();
  });

  it('refuses updateConnectionConfig over the limit, and keeps the config', async () => {
    const reply = await send({
      type: 'updateConnectionConfig',
      integration: 'example',
      userId: 'a',
      additionalConfig: ofSize(LIMIT + 1),
    });
    expect(reply.errorCode).toBe('metadata_too_large');
    expect(reply.errorMsg).toMatch(/^additionalConfig is 1025 bytes/);
    expect(await config('a')).toEqual({ keep: 'a' });
  });

  it('refuses updateMetadata whose merge would pass the limit on any Connection, and changes none', async () => {
    await send({ type: 'setMetadata', integration: 'example', userIds: ['b'], metadata: ofSize(LIMIT - 100) });
    // Small on its own, and on 'a'; over the limit once merged into 'b'.
    const reply = await send({
      type: 'updateMetadata',
      integration: 'example',
      userIds: ['a', 'b'],
      metadata: { more: 'y'.repeat(150) },
    });
    expect(reply.errorCode).toBe('metadata_too_large');
    expect(reply.errorMsg).toMatch(
      /^the metadata of user 'b' on integration 'example' once merged is \d+ bytes as JSON, over the limit of 1024/,
    );
    expect(await config('a')).toEqual({ keep: 'a' });
    expect(await config('b')).toEqual(ofSize(LIMIT - 100));
  });

  it('refuses an override whose config would pass the limit once merged, before its credentials change', async () => {
    await send({ type: 'setMetadata', integration: 'example', userIds: ['a'], metadata: ofSize(LIMIT - 10) });
    const save = saveConnection(context, {
      integration: 'example',
      userId: 'a',
      credentials: { api_key: 'k-2', raw: { api_key: 'k-2' } },
      config: { extra: 'z'.repeat(50) },
      mode: 'upsert',
      authMode: 'API_KEY',
    });
    await expect(save).rejects.toMatchObject({ code: 'metadata_too_large' });
    const stored = await sqlite.connections.get('example', 'a');
    expect(stored?.credentials['api_key']).toBe('k-1');
    expect(stored?.additionalConfig).toEqual(ofSize(LIMIT - 10));
  });
});
