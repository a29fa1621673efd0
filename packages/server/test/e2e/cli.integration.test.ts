import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { Nango } from '@nangohq/node-client';
import { deleteWorkerQueues, RABBITMQ_URL, waitFor } from '../helpers/harness';
import { generateKey } from '../../src/encryption/Keyring';
import { openStore } from '../../src/store/openStore';
import { createTestDatabase } from '../helpers/pgDatabase';

// These run the built worker (`npm run build`, which `npm test` and `npm ci` do) exactly as a user would.
const ROOT = join(__dirname, '..', '..', '..', '..');
const CLI = join(ROOT, 'packages', 'server', 'dist', 'cli.js');

/** Runs a node script to its end without blocking this process's event loop. */
function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('nango-server command line', () => {
  it('prints --help with every setting and exits 0', () => {
    const run = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    for (const name of [
      'NANGO_RABBITMQ_URL',
      'NANGO_QUEUE',
      'NANGO_INTEGRATIONS_YAML',
      'NANGO_INTEGRATIONS_DIR',
      'NANGO_DB_PATH',
      'NANGO_DATABASE_URL',
      'NANGO_DATABASE_POOL_SIZE',
      'copy-store',
    ]) {
      expect(run.stdout).toContain(name);
    }
  });

  it('refuses an unknown argument', () => {
    const run = spawnSync(process.execPath, [CLI, '--frobnicate'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown argument --frobnicate');
    const extra = spawnSync(process.execPath, [CLI, 'rotate-key', 'now'], { encoding: 'utf8' });
    expect(extra.status).toBe(2);
    expect(extra.stderr).toContain('rotate-key takes no arguments, got now');
  });

  it('rotate-key re-encrypts every Connection with the new key, and the old key is then not needed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nango-rotate-'));
    const dbPath = join(dir, 'nango.sqlite');
    const oldKey = generateKey();
    const newKey = generateKey();
    try {
      const target = { kind: 'sqlite', path: dbPath } as const;
      const before = (await openStore({ NANGO_ENCRYPTION_KEY: oldKey }, target)).store;
      for (let i = 0; i < 3; i++)
        await before.connections.insert({
          integration: 'slack',
          userId: String(i),
          credentials: { access_token: 't', raw: {} },
          additionalConfig: {},
        });
      await before.close();
      const env = { ...process.env, NANGO_DB_PATH: dbPath, NANGO_ENCRYPTION_KEY: newKey };
      const refused = spawnSync(process.execPath, [CLI, 'rotate-key'], { encoding: 'utf8', env });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('NANGO_ENCRYPTION_OLD_KEYS');
      const run = spawnSync(process.execPath, [CLI, 'rotate-key'], {
        encoding: 'utf8',
        env: { ...env, NANGO_ENCRYPTION_OLD_KEYS: oldKey },
      });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain('100% 3/3');
      expect(run.stderr).toContain('Done: 3 Connection(s) re-encrypted');
      const after = (await openStore({ NANGO_ENCRYPTION_KEY: newKey }, target)).store;
      expect((await after.connections.get('slack', '2'))?.credentials['access_token']).toBe('t');
      await after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rotate-key works on PostgreSQL too, chosen by NANGO_DATABASE_URL', async () => {
    const database = await createTestDatabase();
    const oldKey = generateKey();
    const newKey = generateKey();
    try {
      const target = { kind: 'postgres', url: database.url, poolSize: 2 } as const;
      const before = (await openStore({ NANGO_ENCRYPTION_KEY: oldKey }, target)).store;
      for (let i = 0; i < 3; i++) {
        await before.connections.insert({
          integration: 'slack',
          userId: String(i),
          credentials: { access_token: 't', raw: {} },
          additionalConfig: {},
        });
      }
      await before.close();
      const env = {
        ...process.env,
        NANGO_DATABASE_URL: database.url,
        NANGO_ENCRYPTION_KEY: newKey,
        NANGO_ENCRYPTION_OLD_KEYS: oldKey,
      };
      const run = await runNode([CLI, 'rotate-key'], env);
      expect(run.stderr).toContain('Done: 3 Connection(s) re-encrypted');
      expect(run.stderr).not.toContain(new URL(database.url).password || 'no-password-in-url');
      expect(run.status).toBe(0);
      const after = await openStore({ NANGO_ENCRYPTION_KEY: newKey }, target);
      expect(await after.store.keys.keyIdsInUse()).toEqual([after.cipher.currentKeyId]);
      await after.store.close();
    } finally {
      await database.drop();
    }
  });

  it('stops at start on a bad integrations.yaml, reporting every problem with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nango-cli-'));
    try {
      writeFileSync(
        join(dir, 'integrations.yaml'),
        'integrations:\n  slack:\n    auth_mode: OAUTH3\n    base_url: not a url\n  github:\n    auth_mode: OAUTH2\n    base_url: https://api.github.com\n    oauth:\n      client_secret: ${GITHUB_SECRET_NOT_SET}\n',
      );
      const run = spawnSync(process.execPath, [CLI], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, NANGO_DB_PATH: join(dir, 'db.sqlite'), NANGO_RABBITMQ_URL: RABBITMQ_URL },
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('integrations.slack.auth_mode: must be one of OAUTH2, OAUTH1, API_KEY, USERNAME_PASSWORD');
      expect(run.stderr).toContain('integrations.slack.base_url: must be a URL');
      expect(run.stderr).toContain(
        'integrations.github.oauth.client_secret: environment variable GITHUB_SECRET_NOT_SET is not set',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps running when action code leaves a rejected promise or throws in a timer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nango-cli-'));
    const queue = `nango.test.cli.${randomUUID()}`;
    mkdirSync(join(dir, 'integrations', 'careless'), { recursive: true });
    writeFileSync(
      join(dir, 'integrations.yaml'),
      'integrations:\n  careless:\n    auth_mode: API_KEY\n    base_url: https://careless.example.test\n    headers:\n      X-Key: ${api_key}\n    actions:\n      fireAndForget:\n',
    );
    writeFileSync(
      join(dir, 'integrations', 'careless', 'fireAndForget.action.ts'),
      "import { NangoAction } from '@nangohq/action';\nexport default class F extends NangoAction {\n  override async executeAction() {\n" +
        "    void Promise.reject(new Error('nobody awaited me'));\n    setTimeout(() => { throw new Error('thrown in a timer'); }, 1);\n    return 'done';\n  }\n}\n",
    );
    const worker = spawn(process.execPath, [CLI], {
      cwd: dir,
      env: { ...process.env, NANGO_QUEUE: queue, NANGO_DB_PATH: join(dir, 'db.sqlite'), NANGO_RABBITMQ_URL: RABBITMQ_URL },
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const nango = new Nango({ url: RABBITMQ_URL, queue, requestTimeoutMs: 10_000 });
    try {
      await waitFor(() => output.includes('nango worker ready'), 20_000, 'the worker to be ready');
      await nango.connect();
      await nango.registerConnection('careless', '1', { api_key: 'k' });
      await expect(nango.triggerAction('careless', 'fireAndForget', '1', {})).resolves.toMatchObject({ returnValue: 'done' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(nango.triggerAction('careless', 'fireAndForget', '1', {})).resolves.toMatchObject({ returnValue: 'done' });
      expect(worker.exitCode).toBeNull();
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
      // The rejection and the throw come after the run returned: its sandbox reports them and is replaced.
      expect(output).toContain('nobody awaited me');
      expect(output).toContain('action code threw after its run ended (in a timer or a promise nobody awaited)');
    } finally {
      await nango.close();
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await deleteWorkerQueues(queue);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the shipped integrations and examples/spec-flows.mjs', () => {
    let slack: ApiServer;
    let worker: ChildProcess;
    let dir: string;
    let output = '';
    const queue = `nango.test.cli.${randomUUID()}`;

    beforeAll(async () => {
      slack = await startApiServer(() => ({ body: { ok: true, ts: '1234.5678' } }));
      dir = mkdtempSync(join(tmpdir(), 'nango-cli-'));
      worker = spawn(process.execPath, [CLI], {
        cwd: ROOT,
        env: {
          ...process.env,
          NANGO_QUEUE: queue,
          NANGO_DB_PATH: join(dir, 'nango.sqlite'),
          NANGO_RABBITMQ_URL: RABBITMQ_URL,
          SLACK_API_URL: slack.url,
        },
      });
      worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => output.includes('nango worker ready'), 20_000, 'the worker to log that it is ready');
    });

    afterAll(async () => {
      if (worker.exitCode === null) {
        worker.kill('SIGKILL');
        await new Promise((resolve) => worker.once('exit', resolve));
      }
      await deleteWorkerQueues(queue);
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('logs one JSON ready line with the queue and the number of integrations', () => {
      const ready = output
        .split('\n')
        .filter((line) => line.includes('nango worker ready'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(ready).toHaveLength(1);
      expect(ready[0]).toMatchObject({ queue, integrations: 6 });
    });

    it('runs the example script: every spec 1 flow, and Slack notify as spec 2 writes it', async () => {
      // Not spawnSync: the fake Slack lives in this process and must keep answering while the script runs.
      const run = await runNode([join(ROOT, 'examples', 'spec-flows.mjs')], { ...process.env, NANGO_QUEUE: queue });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(
        'refused as expected: Credentials for stripe (API_KEY): api_key (a non-empty string) is required',
      );
      expect(run.stdout).toContain('refused as expected: A Connection for user');
      expect(run.stdout).toMatch(/example \(created .*\n.*jira \(created .*\n.*slack \(created .*\n.*twitter \(created/);
      expect(run.stdout).toContain('Got this return value from example.hello: {"message":"Welcome, Ada!"}');
      expect(run.stdout).toContain('Slack answered 200');
      expect(run.stdout).toContain('All flows ran.');
      const [post] = slack.requests;
      expect(post).toMatchObject({ method: 'POST', url: '/chat.postMessage' });
      expect(post?.headers.authorization).toBe('Bearer xoxb-example-token');
      expect(JSON.parse(post?.body ?? '')).toEqual({ channelId: 'C0123456', text: 'Please post this message', mrkdwn: true });
    });

    it('stops gracefully on SIGTERM', async () => {
      worker.kill('SIGTERM');
      const code = await new Promise((resolve) => worker.once('exit', resolve));
      expect(code).toBe(0);
      expect(output).toContain('nango worker stopped');
    });
  });
});
