import { join } from 'node:path';
import { ActionLoader } from '../../src/actions/ActionLoader';
import { ActionRunner } from '../../src/actions/ActionRunner';
import { HeldConnections, sameFieldsAs } from '../../src/actions/HeldConnections';
import { Sandbox } from '../../src/actions/Sandbox';
import { HELD_CONNECTIONS, type ToSandbox } from '../../src/actions/sandboxProtocol';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { createLogger } from '../../src/logger';
import { withStoredConfig } from '../../src/store/storedConfig';

const DIR = join(__dirname, '..', 'fixtures', 'integrations');
const logger = createLogger('silent', { write: () => undefined });

const fields = () => ({
  uuid: 'conn-1',
  integration: 'demo',
  userId: 'u1',
  credentials: { api_key: 'k', raw: { api_key: 'k', scopes: ['a', 'b'] } },
});

describe('sameFieldsAs: whether a sandbox already holds these very fields', () => {
  it('compares the data all the way down, keys in order, and never reads the config', () => {
    const held = fields();
    const unread = Object.defineProperty(fields(), 'additionalConfig', {
      enumerable: true,
      get: () => {
        throw new Error('read the config');
      },
    });
    expect(sameFieldsAs(held, unread)).toBe(true);
    const changed = fields();
    changed.credentials.raw.scopes[1] = 'c';
    expect(sameFieldsAs(held, changed)).toBe(false);
    expect(sameFieldsAs(held, { ...fields(), extra: 1 })).toBe(false);
    const { uuid, ...rest } = fields();
    expect(sameFieldsAs(held, { ...rest, uuid })).toBe(false); // same data, another order: sent again
  });

  it('counts anything but plain data as changed', () => {
    const withDate = { ...fields(), expiresAt: new Date(0) };
    expect(sameFieldsAs(withDate, { ...fields(), expiresAt: new Date(0) })).toBe(false);
    expect(sameFieldsAs({ n: NaN }, { n: NaN })).toBe(false);
  });

  it('holds the most recently run, up to its bound', () => {
    const held = new HeldConnections<number>();
    for (let i = 0; i <= HELD_CONNECTIONS; i++) held.hold(`c${i}`, { fields: i, config: '{}' });
    expect(held.get('c0')).toBeUndefined();
    expect(held.get(`c${HELD_CONNECTIONS}`)?.fields).toBe(HELD_CONNECTIONS);
  });
});

describe('the Connection an action sees in its sandbox', () => {
  const config = parseIntegrationsConfig(
    `integrations:
  demo:
    auth_mode: API_KEY
    base_url: http://127.0.0.1:9
    headers:
      x-api-key: \${api_key}
    actions:
      echo:
`,
    { sourceName: 'integrations.yaml', integrationsDir: DIR, fileExists: () => true },
  );
  const integration = config.integrations.get('demo')!;
  let runner: ActionRunner;
  let sent: ToSandbox[];
  const run = async (connection: ReturnType<typeof fields>) => {
    const whole = {
      ...connection,
      dateCreated: '2026-01-01T00:00:00.000Z',
      lastModified: '2026-01-01T00:00:00.000Z',
      authorization: 'ok' as const,
    };
    const result = await runner.run(integration, integration.actions.get('echo')!, withStoredConfig(whole, '{}'), {});
    return JSON.parse(result.json ?? 'null') as { userId: string; credentialKeys: string[] };
  };
  const connectionsSent = () =>
    sent.flatMap((message) => (message.type === 'run' ? [message.connection === undefined ? 'held' : message.uuid] : []));

  beforeEach(() => {
    runner = new ActionRunner(new ActionLoader(DIR), logger, 1); // one sandbox: every run goes through the same thread
    sent = [];
    const send = (Sandbox.prototype as unknown as { send(message: ToSandbox): void }).send;
    jest.spyOn(Sandbox.prototype as unknown as { send(message: ToSandbox): void }, 'send').mockImplementation(function (
      this: Sandbox,
      message: ToSandbox,
    ) {
      sent.push(message);
      send.call(this, message);
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await runner.close();
  });

  it('is sent once while it stays the same, again when anything in it changed, and each run sees its own', async () => {
    await expect(run(fields())).resolves.toMatchObject({ userId: 'u1', credentialKeys: ['api_key', 'raw'] });
    await expect(run(fields())).resolves.toMatchObject({ userId: 'u1' });
    const refreshed = { ...fields(), credentials: { ...fields().credentials, token: 't2' } };
    await expect(run(refreshed)).resolves.toMatchObject({ credentialKeys: ['api_key', 'raw', 'token'] });
    const other = { ...fields(), uuid: 'conn-2', userId: 'u2' };
    await expect(run(other)).resolves.toMatchObject({ userId: 'u2' });
    await expect(run(refreshed)).resolves.toMatchObject({ userId: 'u1', credentialKeys: ['api_key', 'raw', 'token'] });
    expect(connectionsSent()).toEqual(['conn-1', 'held', 'conn-1', 'conn-2', 'held']);
  }, 30_000);
});
