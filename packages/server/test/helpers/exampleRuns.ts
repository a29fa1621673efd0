import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './harness';
import { createServer } from 'node:net';

/** A port free right now (servers the examples talk to need fixed ones, as a user gives them). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a script of examples/ with node, as a user would, and collects what it printed. */
export function runScript(
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const ROOT = join(__dirname, '..', '..', '..', '..');

/** `nango-server` as `npm start` runs it (the compiled CLI, from the repository root), with `env`. */
export interface CliServer {
  /** Everything it has logged so far. */
  output(): string;
  /** Stops it with SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the server and resolves once it logs that it is ready. */
export async function startCliServer(env: NodeJS.ProcessEnv): Promise<CliServer> {
  const server = spawn(process.execPath, [join(ROOT, 'packages', 'server', 'dist', 'cli.js')], { cwd: ROOT, env });
  let output = '';
  server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes('nango worker ready'), 20_000, 'the server to be ready');
  return {
    output: () => output,
    stop: async () => {
      if (server.exitCode !== null) return;
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    },
  };
}
