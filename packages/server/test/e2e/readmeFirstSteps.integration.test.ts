import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCliServer, type CliServer } from '../helpers/exampleRuns';
import { deleteWorkerQueues, RABBITMQ_URL } from '../helpers/harness';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** The code blocks of the README's "A first Connection and a first action", by language, as a reader copies them. */
function firstSteps(): { script: string; curl: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## A first Connection and a first action\n');
  if (start === -1) throw new Error('README.md has no section "A first Connection and a first action"');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = (language: string) => {
    const code = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(section)?.[1];
    if (code === undefined) throw new Error(`the first-steps section has no ${language} block`);
    return code;
  };
  return { script: block('js'), curl: block('sh') };
}

/** Runs a command with the environment given, and collects what it printed. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * The README promises a newcomer a first Connection and a first action in a few lines, against `npm start` with the
 * repository's integrations: its script and its curl command run here as written, with the outputs its comments
 * show. Only the port and the queue differ, so the test shares nothing with the machine's own worker.
 */
describe("the README's first Connection and first action", () => {
  let server: CliServer | undefined;
  let dir: string;
  let port: number;
  const queue = `nango.test.readme-first-steps.${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {};
  const { script, curl } = firstSteps();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-readme-first-steps-'));
    port = await freePort();
    Object.assign(env, process.env, {
      NANGO_QUEUE: queue,
      NANGO_RABBITMQ_URL: RABBITMQ_URL,
      NANGO_PORT: String(port),
      NANGO_DB_PATH: join(dir, 'nango.sqlite'),
      NANGO_WATCH: 'false',
    });
    delete env['NANGO_SECRET_KEY']; // the README's server runs without one
    server = await startCliServer(env);
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    await deleteWorkerQueues(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the script registers a Connection and prints what its comment says the action returns', async () => {
    const printed = /console\.log\(returnValue\); \/\/ (.+)$/m.exec(script)?.[1];
    expect(printed).toBe("{ message: 'Hi, Ada!' }");
    const first = await run(process.execPath, ['--input-type=module', '-e', script], env);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(printed);
  }, 60_000);

  it('the curl command runs the same action over HTTP and answers what its comment shows', async () => {
    const lines = curl.trim().split('\n');
    const answer = lines.pop()?.replace(/^# /, '');
    expect(answer).toBe('{"message":"Hi, Ada!"}');
    const command = lines.join('\n').replaceAll('http://localhost:3003', `http://localhost:${port}`);
    expect(command).toContain(`:${port}/action/trigger`); // the README's URL was the one replaced
    const result = await run('sh', ['-c', command], env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(answer);
  }, 60_000);

  it('a second run of the script fails with connection_exists, as the README warns', async () => {
    const again = await run(process.execPath, ['--input-type=module', '-e', script], env);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain("code: 'connection_exists'");
  }, 60_000);
});
