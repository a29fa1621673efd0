import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { deleteWorkerQueues, RABBITMQ_URL } from '../helpers/harness';

// The built command, as a deployment runs it (`npm run build`, which `npm test` and `npm ci` do).
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

/** Starts `nango-server <args>` and resolves with its ready line, or rejects with what it printed before exiting. */
function startServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed['msg'] === 'nango worker ready') resolve({ child, ready: parsed });
    });
    child.once('exit', (code) => reject(new Error(`nango-server ${args.join(' ')} exited with ${code}: ${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('nango-server roles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-roles-'));
    writeFileSync(join(dir, 'integrations.yaml'), 'integrations:\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const env = () => ({
    NANGO_INTEGRATIONS_YAML: join(dir, 'integrations.yaml'),
    NANGO_INTEGRATIONS_DIR: dir,
    NANGO_DB_PATH: join(dir, 'nango.sqlite'),
    NANGO_WATCH: 'false',
    NANGO_PORT: '0',
  });

  it('`api` serves HTTP without a broker', async () => {
    const { child, ready } = await startServer(['api'], {
      ...env(),
      NANGO_RABBITMQ_URL: 'amqp://127.0.0.1:1',
      NANGO_CONNECT_RETRIES: '0',
    });
    try {
      expect(ready['queue']).toBeUndefined();
      const url = ready['http'] as string;
      expect(url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      await stop(child);
    }
  }, 60_000);

  it('`worker` consumes RabbitMQ and serves no HTTP; the default runs both', async () => {
    const queue = `nango.test.roles.${randomUUID()}`;
    const worker = await startServer(['worker'], { ...env(), NANGO_RABBITMQ_URL: RABBITMQ_URL, NANGO_QUEUE: queue });
    try {
      expect(worker.ready).toMatchObject({ queue });
      expect(worker.ready['http']).toBeUndefined();
    } finally {
      await stop(worker.child);
    }
    const both = await startServer([], { ...env(), NANGO_RABBITMQ_URL: RABBITMQ_URL, NANGO_QUEUE: queue });
    try {
      expect(both.ready).toMatchObject({ queue, http: expect.stringMatching(/^http:\/\/localhost:\d+$/) });
    } finally {
      await stop(both.child);
      await deleteWorkerQueues(queue);
    }
  }, 60_000);
});
