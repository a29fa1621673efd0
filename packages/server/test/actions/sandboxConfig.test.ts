import { join } from 'node:path';
import { ActionLoader } from '../../src/actions/ActionLoader';
import { ActionRunner } from '../../src/actions/ActionRunner';
import { Sandbox } from '../../src/actions/Sandbox';
import type { ToSandbox } from '../../src/actions/sandboxProtocol';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { createLogger } from '../../src/logger';
import { withStoredConfig } from '../../src/store/storedConfig';

const DIR = join(__dirname, '..', 'fixtures', 'integrations');
const logger = createLogger('silent', { write: () => undefined });
const YAML = `integrations:
  demo:
    auth_mode: API_KEY
    base_url: http://127.0.0.1:9
    headers:
      x-api-key: \${api_key}
    actions:
      echo:
      bumpsConfig:
`;

/** A Connection as the store hands it over: its config as stored JSON text (see storedConfig). */
function connectionWith(json: string) {
  const fields = {
    uuid: 'conn-1',
    integration: 'demo',
    userId: 'u1',
    dateCreated: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    authorization: 'ok' as const,
    credentials: { api_key: 'k', raw: {} },
  };
  return withStoredConfig(fields, json);
}

/**
 * A run's Connection config crosses into the sandbox as text, and only when it changed since that sandbox's last run;
 * each run still gets its own parse of it, so what one run changes in it no other run sees.
 */
describe('the config an action sees in its sandbox', () => {
  let runner: ActionRunner;
  let sent: ToSandbox[];
  const config = parseIntegrationsConfig(YAML, { sourceName: 'integrations.yaml', integrationsDir: DIR, fileExists: () => true });
  const integration = config.integrations.get('demo')!;
  const run = async (action: string, json: string) => {
    const result = await runner.run(integration, integration.actions.get(action)!, connectionWith(json), {});
    return JSON.parse(result.json ?? 'null') as { additionalConfig?: unknown };
  };
  const configsSent = () => sent.filter((message) => message.type === 'run').map((message) => message.config);

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

  it('is sent as text, once while it stays the same, and every change is seen', async () => {
    expect((await run('echo', '{"plan":"free"}')).additionalConfig).toEqual({ plan: 'free' });
    expect((await run('echo', '{"plan":"free"}')).additionalConfig).toEqual({ plan: 'free' });
    expect((await run('echo', '{"plan":"pro"}')).additionalConfig).toEqual({ plan: 'pro' });
    expect(configsSent()).toEqual(['{"plan":"free"}', undefined, '{"plan":"pro"}']);
    const runMessage = sent.find((message) => message.type === 'run');
    expect(runMessage && 'connection' in runMessage && Object.keys(runMessage.connection ?? {})).not.toContain(
      'additionalConfig',
    );
  });

  it('is parsed afresh for each run: a change one run makes is not seen by the next', async () => {
    await expect(run('bumpsConfig', '{"count":1}')).resolves.toEqual({ count: 2 });
    await expect(run('bumpsConfig', '{"count":1}')).resolves.toEqual({ count: 2 });
    expect(configsSent()).toEqual(['{"count":1}', undefined]);
  });

  it('is the current value of a config the worker read and changed before the run', async () => {
    const connection = connectionWith('{"plan":"free"}');
    connection.additionalConfig['plan'] = 'team';
    const result = await runner.run(integration, integration.actions.get('echo')!, connection, {});
    expect((JSON.parse(result.json ?? 'null') as { additionalConfig: unknown }).additionalConfig).toEqual({ plan: 'team' });
  });
});
