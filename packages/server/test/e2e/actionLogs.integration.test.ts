import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango, type NangoError } from '@nangohq/node-client';
import { deleteWorkerQueues, FIXTURES_DIR, RABBITMQ_URL, waitFor } from '../helpers/harness';

// The built worker, run from the repository root as `npm start` does, with the fixtures folder elsewhere: what
// its log lines look like is what a user reads (source maps on, pino writing to stdout).
const ROOT = join(__dirname, '..', '..', '..', '..');
const CLI = join(ROOT, 'packages', 'server', 'dist', 'cli.js');

describe("the built worker's log lines about actions", () => {
  let worker: ChildProcess;
  let dir: string;
  let output = '';
  const queue = `nango.test.logs.${randomUUID()}`;
  const nango = new Nango({ url: RABBITMQ_URL, queue, requestTimeoutMs: 10_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-logs-'));
    const yaml = (name: string, action: string) =>
      `  ${name}:\n    auth_mode: API_KEY\n    base_url: http://127.0.0.1:9\n    headers:\n      X-Key: \${api_key}\n    actions:\n      ${action}:\n`;
    writeFileSync(join(dir, 'integrations.yaml'), `integrations:\n${yaml('demo', 'logsTags')}${yaml('broken', 'throws')}`);
    worker = spawn(process.execPath, [CLI], {
      cwd: ROOT,
      env: {
        ...process.env,
        NANGO_QUEUE: queue,
        NANGO_DB_PATH: join(dir, 'nango.sqlite'),
        NANGO_RABBITMQ_URL: RABBITMQ_URL,
        NANGO_INTEGRATIONS_YAML: join(dir, 'integrations.yaml'),
        NANGO_INTEGRATIONS_DIR: FIXTURES_DIR,
        NANGO_WATCH: 'false',
      },
    });
    worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('nango worker ready'), 20_000, 'the worker to be ready');
    await nango.connect();
    await nango.registerConnection('demo', 'u-1', { api_key: 'k' });
    await nango.registerConnection('broken', 'u-1', { api_key: 'k' });
  }, 30_000); // the worker's own start is waited for up to 20 s, past jest's default 5 s for a hook

  afterAll(async () => {
    await nango.close();
    if (worker.exitCode === null) {
      worker.kill('SIGKILL');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
    await deleteWorkerQueues(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The raw line (not parsed: JSON.parse would hide a duplicated key) holding every one of `parts`. */
  const rawLine = async (...parts: string[]) => {
    const find = () => output.split('\n').find((line) => parts.every((part) => line.includes(part)));
    await waitFor(() => find() !== undefined, 5_000, `a line with ${parts.join(' and ')} (pino flushes every second)`);
    return find() ?? '';
  };

  it('tags an action line once: a field named like a tag goes under fields', async () => {
    await expect(nango.triggerAction('demo', 'logsTags', 'u-1', {})).resolves.toMatchObject({ returnValue: 'logged' });
    const line = await rawLine('"msg":"tagged by the action too"');
    const topLevel = line.replace(/"fields":\{[^}]*\}/, '');
    expect(topLevel.match(/"userId":/g)).toHaveLength(1);
    expect(topLevel.match(/"integration":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({
      integration: 'demo',
      userId: 'u-1',
      extra: 1,
      fields: { userId: 'u-1', integration: 'not-this-one' },
    });
  });

  it("points an action's stack trace at the file's real path, once", async () => {
    const error = (await nango.triggerAction('broken', 'throws', 'u-1', {}).catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('action_failed');
    const line = await rawLine('"msg":"action run"', '"integration":"broken"');
    const { stack } = JSON.parse(line) as { stack: string };
    const file = join(FIXTURES_DIR, 'broken', 'throws.action.ts');
    expect(stack).toContain(`(${file}:`);
    expect(stack).not.toContain('broken/packages/');
  });
});
