/**
 * A 2022 `nango-integrations/` folder run as it is: the worker pointed at the folder alone (no integrations.yaml
 * setting) finds its integrations.yaml and nango-config.yaml, converts them, finds the action by file name, and the
 * action's request reaches a local API with the 2022 file's base URL, headers and params.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { createLogger, Worker } from '@nangohq/server';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { deleteWorkerQueues, FIXTURES_DIR, RABBITMQ_URL, type LogLine } from '../helpers/harness';

jest.setTimeout(30_000);

const NANGO_CONFIG = `main_server_log_level: info

oauth_server_enabled: true
oauth_server_port: 3003
oauth_server_root_url: http://localhost:3003

default_http_request_timeout_seconds: 10
default_action_log_level: debug
`;

const INTEGRATIONS = `integrations:
    weather:
        app_api_key: \${LEGACY_TEST_APP_KEY}
        auth:
            auth_mode: API_KEY
        requests:
            base_url: \${LEGACY_TEST_API_URL}/v2/
            headers:
                X-App-Key: \${app_api_key}
                X-User-Key: \${api_key}
            params:
                units: metric
`;

describe('a 2022 nango-integrations folder, run as it is', () => {
  let api: ApiServer;
  let folder: string;
  let worker: Worker | undefined;
  let nango: Nango | undefined;
  const queue = `nango.test.legacy.${randomUUID()}`;
  const logs: LogLine[] = [];

  beforeAll(async () => {
    api = await startApiServer(() => ({ body: { forecast: 'sunny' } }));
    folder = mkdtempSync(join(tmpdir(), 'nango-integrations-2022-'));
    writeFileSync(join(folder, 'nango-config.yaml'), NANGO_CONFIG);
    writeFileSync(join(folder, 'integrations.yaml'), INTEGRATIONS);
    mkdirSync(join(folder, 'weather'));
    cpSync(join(FIXTURES_DIR, 'api', 'call.action.ts'), join(folder, 'weather', 'forecast.action.ts'));
    process.env['LEGACY_TEST_API_URL'] = api.url;
    process.env['LEGACY_TEST_APP_KEY'] = 'app-wide-key';
    const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    worker = await Worker.start({
      rabbitmqUrl: RABBITMQ_URL,
      queue,
      integrationsDir: folder, // the folder alone, as NANGO_INTEGRATIONS_DIR would give it
      dbPath: join(folder, 'nango.sqlite'),
      watch: false,
      connectRetries: 0,
      logger,
    });
    nango = new Nango({ url: RABBITMQ_URL, queue, requestTimeoutMs: 10_000 });
    await nango.connect();
  });

  afterAll(async () => {
    await nango?.close();
    await worker?.stop();
    await deleteWorkerQueues(queue);
    await api.close();
    rmSync(folder, { recursive: true, force: true });
    delete process.env['LEGACY_TEST_API_URL'];
    delete process.env['LEGACY_TEST_APP_KEY'];
  });

  it("finds the folder's integrations.yaml, converts it and says so", () => {
    expect(worker?.settings.integrationsYaml).toBe(join(folder, 'integrations.yaml'));
    const line = logs.find((log) => log.msg?.includes('2022 format'));
    expect(line?.['notices']).toEqual([
      'nango-config.yaml: oauth_server_enabled: the OAuth server is part of our HTTP server, set by environment variables (see the README); ignored',
      'nango-config.yaml: oauth_server_port: the OAuth server is part of our HTTP server, set by environment variables (see the README); ignored',
      'nango-config.yaml: oauth_server_root_url: the OAuth server is part of our HTTP server, set by environment variables (see the README); ignored',
    ]);
  });

  it('runs an action found by its file name, with the base URL, headers and params of the 2022 file', async () => {
    await nango?.registerConnection('weather', 'u1', { api_key: 'user-key' });
    const result = await nango?.triggerAction('weather', 'forecast', 'u1', { endpoint: '/forecast', params: { city: 'Paris' } });
    expect(result).toMatchObject({ success: true, returnValue: { status: 200, body: { forecast: 'sunny' } } });
    const request = api.requests.at(-1);
    const url = new URL(request?.url ?? '', api.url);
    expect(url.pathname).toBe('/v2/forecast');
    expect(Object.fromEntries(url.searchParams)).toEqual({ units: 'metric', city: 'Paris' });
    expect(request?.headers).toMatchObject({ 'x-app-key': 'app-wide-key', 'x-user-key': 'user-key' });
  });

  it('is converted by the built nango-server migrate-config, and --integrations-dir wants a folder', () => {
    const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
    const migrate = spawnSync(process.execPath, [cli, 'migrate-config', folder], { encoding: 'utf8' });
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toContain('X-App-Key: ${LEGACY_TEST_APP_KEY}');
    expect(migrate.stdout).toContain('query_params:\n      units: metric');
    const flag = spawnSync(process.execPath, [cli, '--integrations-dir'], { encoding: 'utf8' });
    expect({ status: flag.status, stderr: flag.stderr }).toEqual({
      status: 2,
      stderr: 'nango-server: --integrations-dir takes one folder; see --help\n',
    });
  });
});
