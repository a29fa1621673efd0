/**
 * One refresh across worker processes: two real workers (the built command line, `npm run build` first) consume one
 * queue and share one SQLite file (or one PostgreSQL database, as on two machines); 50 concurrent actions on an expiring token make exactly one call to the token
 * endpoint of a real OAuth 2 authorization server (oauth2-mock-server).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { generateKey } from '../../src/encryption/Keyring';
import { RIG_STORES, WorkerProcess } from '../faults/faultHarness';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { deleteWorkerQueues, RABBITMQ_URL } from '../helpers/harness';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from './authServer';

jest.setTimeout(60_000);

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const OLD = { access_token: 'old-access-token', refresh_token: 'old-refresh-token' };

let auth: AuthServer;
let dir: string;
let queue: string;
let workers: WorkerProcess[];
let nango: Nango | undefined;
let database: TestDatabase | undefined;

beforeEach(async () => {
  auth = await AuthServer.start();
  dir = mkdtempSync(join(tmpdir(), 'nango-oauth-workers-'));
  queue = `nango.test.oauth.${randomUUID()}`;
  workers = [];
});

afterEach(async () => {
  await nango?.close();
  await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
  await deleteWorkerQueues(queue);
  await auth.stop();
  await database?.drop();
  database = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a worker process on this test's queue, database and integrations; both share one encryption key. */
function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [CLI], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NANGO_RABBITMQ_URL: RABBITMQ_URL,
      NANGO_QUEUE: queue,
      NANGO_INTEGRATIONS_YAML: join(dir, 'integrations.yaml'),
      NANGO_INTEGRATIONS_DIR: join(__dirname, 'fixtures'),
      NANGO_DB_PATH: join(dir, 'nango.sqlite'),
      NANGO_WATCH: 'false',
      NANGO_LOG_LEVEL: 'info',
      ...env,
    },
  });
  const worker = new WorkerProcess(child);
  workers.push(worker);
  return worker;
}

it.each(RIG_STORES)(
  '50 concurrent actions on an expiring token across two worker processes make one call to the token endpoint, on %s',
  async (store) => {
    writeFileSync(
      join(dir, 'integrations.yaml'),
      `integrations:
  acme:
    auth_mode: OAUTH2
    base_url: https://api.acme.test
    oauth:
      token_url: ${auth.tokenUrl}
      client_id: ${CLIENT_ID}
      client_secret: \${ACME_CLIENT_SECRET}
    actions:
      currentToken:
`,
    );
    // A slow token endpoint keeps the refresh in flight while the other calls arrive, in both processes.
    await auth.behave({ delayMs: 300 });
    const env: Record<string, string> = { NANGO_ENCRYPTION_KEY: generateKey(), ACME_CLIENT_SECRET: CLIENT_SECRET };
    if (store === 'postgres') {
      database = await createTestDatabase();
      env['NANGO_DATABASE_URL'] = database.url;
    }
    await Promise.all([spawnWorker(env).ready(), spawnWorker(env).ready()]);
    nango = new Nango({ url: RABBITMQ_URL, queue, requestTimeoutMs: 20_000 });
    await nango.connect();
    await nango.registerConnection('acme', 'u1', { ...OLD, expires_in: 120 });

    const client = nango;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => client.triggerAction<{ accessToken: string; pid: number }>('acme', 'currentToken', 'u1')),
    );

    const used = new Set(results.map((result) => result.returnValue?.accessToken));
    expect(used.size).toBe(1);
    expect(used.has(OLD.access_token)).toBe(false);
    // Both processes ran actions, so both needed the fresh token; only one asked the provider for it.
    expect(new Set(results.map((result) => result.returnValue?.pid))).toEqual(new Set(workers.map((worker) => worker.pid)));
    expect(await auth.calls()).toHaveLength(1);
    const output = workers.map((worker) => worker.output()).join('\n');
    expect(output.match(/oauth access token refreshed/g)).toHaveLength(1);
    for (const secret of [...Object.values(OLD), CLIENT_SECRET, ...used]) expect(output).not.toContain(secret);
  },
);
