import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { WorkerError } from '../../src/errors';
import { NO_OPERATIONS } from '../../src/operationLog/OperationLog';
import type { OperationContext } from '../../src/operations/OperationContext';
import { registerConnection } from '../../src/operations/registerConnection';
import { saveConnection } from '../../src/operations/saveConnection';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { WebhookBody, Webhooks } from '../../src/webhooks/Webhooks';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';
import { testCipher } from '../helpers/testCipher';

/** Every door saves a Connection through saveConnection: one store write path and exactly one auth webhook a save. */
describe('saveConnection (:memory: store, recorded webhooks)', () => {
  let sqlite: SqliteStore;
  let sent: WebhookBody[];
  let context: OperationContext;
  const key = (apiKey: string) => ({ api_key: apiKey, raw: { api_key: apiKey } });

  beforeEach(() => {
    sqlite = new SqliteStore(':memory:', testCipher());
    sent = [];
    const webhooks: Webhooks = { enqueue: async (body) => void sent.push(body) };
    const config = parseIntegrationsConfig(FOUR_AUTH_MODES_YAML, {
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
      maxMetadataBytes: 64 * 1024,
      integrations: () => config,
      webhooks,
      log: NO_OPERATIONS,
    };
  });
  afterEach(() => sqlite.close());

  it('creates, then overrides with the new credentials and merged config, one webhook each', async () => {
    const base = { integration: 'example', userId: 'u-1', mode: 'upsert' as const, authMode: 'API_KEY' };
    await expect(saveConnection(context, { ...base, credentials: key('k-1'), config: { a: 1 } })).resolves.toBe('creation');
    await expect(
      saveConnection(context, {
        ...base,
        credentials: key('k-2'),
        config: { b: 2 },
        attributes: { endUser: { id: 'eu-1' }, tags: { team: 'x' } },
      }),
    ).resolves.toBe('override');
    const stored = await sqlite.connections.get('example', 'u-1');
    expect(stored?.credentials).toMatchObject({ api_key: 'k-2' });
    expect(stored?.additionalConfig).toEqual({ a: 1, b: 2 });
    expect(await sqlite.connections.attributes('example', 'u-1')).toMatchObject({ endUser: { id: 'eu-1' }, tags: { team: 'x' } });
    expect(sent.map((body) => body.type === 'auth' && [body.operation, body.connectionId])).toEqual([
      ['creation', 'u-1'],
      ['override', 'u-1'],
    ]);
    // The webhook is sent after the attributes are stored, so it carries them.
    expect(sent[1]).toMatchObject({ tags: { team: 'x' }, endUser: { endUserId: 'eu-1' } });
  });

  it('refuses an existing Connection in create mode, stores nothing new and sends no webhook', async () => {
    await registerConnection(context, {
      type: 'registerConnection',
      integration: 'example',
      userId: 'u-2',
      credentials: { api_key: 'k-1' },
    });
    expect(sent).toHaveLength(1);
    const again = registerConnection(context, {
      type: 'registerConnection',
      integration: 'example',
      userId: 'u-2',
      credentials: { api_key: 'k-2' },
    });
    await expect(again).rejects.toBeInstanceOf(WorkerError);
    await expect(again).rejects.toMatchObject({ code: 'connection_exists' });
    expect((await sqlite.connections.get('example', 'u-2'))?.credentials).toMatchObject({ api_key: 'k-1' });
    expect(sent).toHaveLength(1);
  });
});
