import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteWorkerQueues, RABBITMQ_URL, waitFor } from '../helpers/harness';

// `npm start` runs the worker under `sh -c`, and dash (Debian's sh) neither execs it nor forwards signals: npm
// passes a SIGTERM on to the shell, the shell dies, and the worker used to keep running, orphaned.
const ROOT = join(__dirname, '..', '..', '..', '..');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('stops the worker, gracefully, when npm is stopped with SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nango-npm-start-'));
    const queue = `nango.test.npmstart.${randomUUID()}`;
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NANGO_QUEUE: queue,
        NANGO_DB_PATH: join(dir, 'nango.sqlite'),
        NANGO_RABBITMQ_URL: RABBITMQ_URL,
        NANGO_WATCH: 'false',
        SLACK_API_URL: 'http://127.0.0.1:9',
      },
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let workerPid: number | undefined;
    try {
      await waitFor(() => output.includes('nango worker ready'), 30_000, 'the worker to be ready');
      const ready = output.split('\n').find((line) => line.includes('nango worker ready')) ?? '{}';
      workerPid = (JSON.parse(ready) as { pid: number }).pid;
      expect(workerPid).not.toBe(npm.pid);
      npm.kill('SIGTERM');
      await new Promise((resolve) => npm.once('exit', resolve));
      await waitFor(() => !isRunning(workerPid as number), 10_000, 'the worker to stop after npm did');
      expect(output).toContain('"msg":"stopping: finishing requests in flight"');
      expect(output).toContain('"reason":"its parent process exited');
    } finally {
      if (workerPid !== undefined && isRunning(workerPid)) process.kill(workerPid, 'SIGKILL');
      if (npm.exitCode === null) npm.kill('SIGKILL');
      await deleteWorkerQueues(queue);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
