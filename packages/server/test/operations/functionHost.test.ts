import { EncodedJson } from '../../src/broker/EncodedJson';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { WorkerError } from '../../src/errors';
import { NO_OPERATIONS } from '../../src/operationLog/OperationLog';
import { functionHost, MAX_ACTION_DEPTH, type RunChild } from '../../src/operations/functionHost';
import type { OperationContext } from '../../src/operations/OperationContext';
import { saveConnection } from '../../src/operations/saveConnection';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { NO_WEBHOOKS } from '../../src/webhooks/Webhooks';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';
import { testCipher } from '../helpers/testCipher';

/**
 * The worker's side of a deployed function's calls past its sandbox (:memory: store, children run by a stand-in):
 * triggerAction one call after another, refused past the depth limit, a child's failure named with its code kept;
 * another Connection read; the integration, webhook URL and environment variables; metadata on its own Connection.
 */
describe('functionHost', () => {
  let sqlite: SqliteStore;
  let context: OperationContext;
  const signal = new AbortController().signal;

  beforeEach(async () => {
    sqlite = new SqliteStore(':memory:', testCipher());
    const integrations = parseIntegrationsConfig(FOUR_AUTH_MODES_YAML, {
      sourceName: 'integrations.yaml',
      integrationsDir: '/nowhere',
      fileExists: () => true,
    });
    context = {
      store: sqlite.connections,
      refresher: { ensureFresh: (_integration: unknown, connection: unknown) => Promise.resolve(connection) } as never,
      runner: undefined as never,
      idempotency: undefined as never,
      idempotencyTtlMs: 0,
      maxMetadataBytes: 1024,
      integrations: () => integrations,
      webhooks: NO_WEBHOOKS,
      log: NO_OPERATIONS,
      environment: { webhookUrl: (name) => `http://h/webhook/prod/${name}`, variables: { A: '1', B: '2' } },
    };
    for (const userId of ['ann', 'bob']) {
      await saveConnection(context, {
        integration: 'example',
        userId,
        credentials: { api_key: `key-${userId}`, raw: {} },
        config: { who: userId },
        mode: 'create',
        authMode: 'API_KEY',
      });
    }
  });
  afterEach(() => sqlite.close());

  const hostFor = (depth: number, runChild: RunChild) => {
    const integration = context.integrations().integrations.get('example')!;
    return functionHost(context, { integration, userId: 'ann', depth }, runChild);
  };

  it("runs one run's triggerAction calls one after another, one level deeper, and gives each result", async () => {
    const events: string[] = [];
    const runChild: RunChild = async (message, depth) => {
      events.push(`start ${message.action} at ${depth}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(`end ${message.action}`);
      return new EncodedJson(JSON.stringify({ ran: message.action, input: message.input, for: message.userId }));
    };
    const host = hostFor(1, runChild);
    const args = (action: string) => ({ integration: 'example', connectionId: 'bob', action, input: { n: 1 } });
    const results = await Promise.all([host('triggerAction', args('one'), signal), host('triggerAction', args('two'), signal)]);
    expect(results).toEqual([
      { ran: 'one', input: { n: 1 }, for: 'bob' },
      { ran: 'two', input: { n: 1 }, for: 'bob' },
    ]);
    expect(events).toEqual(['start one at 2', 'end one', 'start two at 2', 'end two']);
  });

  it('refuses a triggerAction past the depth limit, and names a failed child keeping its code', async () => {
    let ran = 0;
    const deepest = hostFor(MAX_ACTION_DEPTH, () => {
      ran++;
      return Promise.resolve(new EncodedJson(undefined));
    });
    const args = { integration: 'example', connectionId: 'bob', action: 'again', input: {} };
    await expect(deepest('triggerAction', args, signal)).rejects.toMatchObject({
      code: 'action_failed',
      message: `triggerAction('example', 'bob', 'again') refused: actions may trigger actions ${MAX_ACTION_DEPTH} levels deep at most (does an action trigger itself?)`,
    });
    expect(ran).toBe(0);
    const failing = hostFor(0, () =>
      Promise.reject(new WorkerError('unknown_action', "Integration 'example' has no action 'again'")),
    );
    await expect(failing('triggerAction', args, signal)).rejects.toMatchObject({
      code: 'unknown_action',
      message: "triggerAction('example', 'bob', 'again') failed: Integration 'example' has no action 'again'",
    });
    // A failed call does not stop the next one of the same run.
    const after = hostFor(0, () => Promise.resolve(new EncodedJson('7')));
    await expect(after('triggerAction', args, signal)).resolves.toBe(7);
  });

  it('reads another Connection, and says which one is missing', async () => {
    const host = hostFor(0, () => Promise.reject(new Error('unused')));
    const bob = (await host('getConnection', { integration: 'example', connectionId: 'bob' }, signal)) as {
      userId: string;
      credentials: unknown;
    };
    expect(bob).toMatchObject({ userId: 'bob', credentials: expect.objectContaining({ api_key: 'key-bob' }) });
    await expect(host('getConnection', { integration: 'example', connectionId: 'nobody' }, signal)).rejects.toMatchObject({
      code: 'connection_not_found',
    });
    await expect(host('getConnection', { integration: 'nowhere', connectionId: 'bob' }, signal)).rejects.toMatchObject({
      code: 'unknown_integration',
    });
  });

  it('answers the integration, its webhook URL and the environment variables, and writes metadata on its own Connection', async () => {
    const host = hostFor(0, () => Promise.reject(new Error('unused')));
    expect(await host('getIntegration', {}, signal)).toMatchObject({
      integration: { unique_key: 'example' },
      webhookUrl: 'http://h/webhook/prod/example',
    });
    expect(await host('getEnvironmentVariables', {}, signal)).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    await host('updateMetadata', { metadata: { seen: true } }, signal);
    expect(await sqlite.connections.getConfig('example', 'ann')).toEqual({ who: 'ann', seen: true });
    expect(await sqlite.connections.getConfig('example', 'bob')).toEqual({ who: 'bob' });
    await expect(host('batchSave', {}, signal)).rejects.toMatchObject({ code: 'internal_error' });
  });
});
