import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/ConfigError';
import { createLogger } from '../../src/logger';
import { resolveWorkerSettings } from '../../src/settings';
import { Worker } from '../../src/Worker';

/** The worker loads the catalog once at start, before it reaches for the broker: a bad catalog stops it there. */
describe('NANGO_PROVIDERS_FILE', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'worker-catalog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is a setting, resolved to an absolute path, none by default', () => {
    expect(resolveWorkerSettings({}).providersFile).toBeUndefined();
    expect(resolveWorkerSettings({ NANGO_PROVIDERS_FILE: 'my-providers.yaml' }).providersFile).toBe(
      path.resolve('my-providers.yaml'),
    );
  });

  it('stops the start with every problem of the catalog, before any broker is needed', async () => {
    const providersFile = path.join(dir, 'providers.yaml');
    writeFileSync(providersFile, 'mine:\n  auth_mode: OAUTH2\n  disable_pkce: sometimes\n');
    const integrationsYaml = path.join(dir, 'integrations.yaml');
    writeFileSync(integrationsYaml, 'integrations:\n  a:\n    provider: mine\n');
    const start = Worker.start({
      providersFile,
      integrationsYaml,
      integrationsDir: dir,
      dbPath: path.join(dir, 'nango.sqlite'),
      rabbitmqUrl: 'amqp://127.0.0.1:1', // never reached
      connectRetries: 0,
      watch: false,
      logger: createLogger('silent'),
    });
    const error = (await start.catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual([`${providersFile}: mine.disable_pkce: must be boolean`]);
  });
});
