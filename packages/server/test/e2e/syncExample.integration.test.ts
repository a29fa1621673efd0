import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runScript, startCliServer, type CliServer } from '../helpers/exampleRuns';
import { deleteWorkerQueues, RABBITMQ_URL, waitFor } from '../helpers/harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SCRIPT = join(ROOT, 'examples', 'sync.mjs');

/**
 * The sync example as the README runs it: the server with the repository's integrations.yaml (the `tracker`
 * integration and its `issues` sync, run in the action sandboxes), examples/sync.mjs playing the tracker API and
 * reading the records with the official @nangohq/node 0.71.4.
 */
describe('examples/sync.mjs against nango-server as npm start runs it', () => {
  let server: CliServer | undefined;
  let dir: string;
  const queue = `nango.test.sync-example.${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-sync-example-'));
    const [port, trackerPort] = [await freePort(), await freePort()];
    Object.assign(env, process.env, {
      NANGO_QUEUE: queue,
      NANGO_RABBITMQ_URL: RABBITMQ_URL,
      NANGO_PORT: String(port),
      NANGO_SERVER_URL: `http://localhost:${port}`,
      NANGO_DB_PATH: join(dir, 'nango.sqlite'),
      NANGO_SECRET_KEY: 'sync-example-secret-key',
      NANGO_WATCH: 'false',
      TRACKER_API_URL: `http://127.0.0.1:${trackerPort}`,
    });
    server = await startCliServer(env);
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    await deleteWorkerQueues(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  it('mirrors the tracker, then only its changes, read with the official SDK', async () => {
    const run = await runScript(SCRIPT, env);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('✓ 250 records read (250)');
    expect(run.stdout).toContain('✓ 1 added, 4 updated, 1 deleted');
    // Two runs, each logged once with its counts; record payloads never reach the log.
    expect(server!.output()).toContain('"models":{"TrackerIssue":{"added":250,"updated":0,"deleted":0}}');
    const second = '"models":{"TrackerIssue":{"added":1,"updated":4,"deleted":1}}';
    await waitFor(() => server!.output().includes(second), 5_000, 'the second run in the server log'); // the log is buffered
    expect(server!.output()).not.toContain('Issue 17');
  }, 150_000);
});
