// Child processes the benchmarks talk to: the real worker (nango-server) and the bare amqplib baseline responder.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
export const RABBITMQ_URL = process.env.NANGO_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Starts a node process and resolves once a line of its stdout contains `readyText`, with the time that took.
 * Its output keeps being drained (and dropped) so it never blocks on a full pipe.
 */
export function startProcess(script, { env = {}, readyText, timeoutMs = 60_000, args = [] }) {
  const started = performance.now();
  const child = spawn(process.execPath, [...args, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk) => {
      if (output === null) return;
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        output = null; // stop keeping it: from here on the output is drained and dropped
        resolve({ child, readyMs: performance.now() - started, stop: () => stopProcess(child) });
      } else if (output.length > 1e6) output = output.slice(-1e5);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (output !== null) reject(new Error(`${script} exited with ${code} before it was ready:\n${output.slice(-2000)}`));
    });
  });
}

/** Node arguments for every worker the benchmarks start; `--profile` sets them to write CPU profiles. */
export const workerNodeArgs = [];

/**
 * Starts the worker's command line as a user would; resolves when it logs that it is ready. `cli` (or
 * NANGO_BENCH_WORKER_CLI) runs another build of the worker, an older commit's dist, for a before/after comparison.
 */
export function startWorker(env, cli = process.env.NANGO_BENCH_WORKER_CLI ?? join(ROOT, 'packages', 'server', 'dist', 'cli.js')) {
  return startProcess(cli, {
    // HTTP on an ephemeral port: several workers run at once, and 3003 may be taken.
    env: { NANGO_RABBITMQ_URL: RABBITMQ_URL, NANGO_WATCH: 'false', NODE_ENV: 'production', NANGO_PORT: '0', ...env },
    readyText: 'nango worker ready',
    args: workerNodeArgs,
  });
}

/**
 * User plus system CPU time a process (or, with a `/proc/<pid>/task/<tid>` path's stat, a thread) has used, in ms,
 * from /proc (clock ticks of 10 ms), its threads included; 0 once it is gone.
 */
export function cpuMs(pid, statPath = `/proc/${pid}/stat`) {
  try {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function stopProcess(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Deletes the queues a benchmark declared, so runs leave nothing behind on the broker. */
export async function deleteQueues(names) {
  const { default: amqp } = await import('amqplib');
  const connection = await amqp.connect(RABBITMQ_URL);
  const channel = await connection.createChannel();
  for (const name of names) await channel.deleteQueue(name).catch(() => undefined);
  await connection.close();
}
