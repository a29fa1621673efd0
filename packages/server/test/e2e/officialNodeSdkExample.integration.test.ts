import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runScript, startCliServer, type CliServer } from '../helpers/exampleRuns';
import { deleteWorkerQueues, RABBITMQ_URL } from '../helpers/harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SCRIPT = join(ROOT, 'examples', 'official-node-sdk.mjs');

describe('examples/official-node-sdk.mjs against nango-server as npm start runs it', () => {
  let server: CliServer | undefined;
  let dir: string;
  const queue = `nango.test.node-sdk.${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-node-sdk-'));
    const [port, webhookPort] = [await freePort(), await freePort()];
    Object.assign(env, process.env, {
      NANGO_QUEUE: queue,
      NANGO_RABBITMQ_URL: RABBITMQ_URL,
      NANGO_PORT: String(port),
      NANGO_SERVER_URL: `http://localhost:${port}`,
      NANGO_DB_PATH: join(dir, 'nango.sqlite'),
      NANGO_SECRET_KEY: 'example-secret-key',
      NANGO_WEBHOOK_URL: `http://localhost:${webhookPort}/webhooks`,
      NANGO_EXAMPLE_WEBHOOK_PORT: String(webhookPort),
      NANGO_PROXY_RETRY_BASE_MS: '50',
      // The script's proxy calls override the example integration's base URL to its own local API, as the README says.
      NANGO_PROXY_ALLOWED_HOSTS: '127.0.0.1',
      NANGO_WATCH: 'false',
    });
    server = await startCliServer(env);
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    await deleteWorkerQueues(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every method of the official SDK, each step passing', async () => {
    const run = await runScript(SCRIPT, env);
    const steps = run.stdout.split('\n▶ ').slice(1);
    expect(steps).toHaveLength(26);
    for (const step of steps) {
      const [title = ''] = step.split('\n');
      expect([title, step.includes('  ✓ ')]).toEqual([title, true]);
    }
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // No secret in what the server logged while the script ran.
    expect(server!.output()).not.toContain('example-client-secret');
    expect(server!.output()).not.toContain('linear-secret');
  }, 150_000);
});
