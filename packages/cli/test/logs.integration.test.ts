import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StoredOperationLog } from '../../server/src/operationLog/StoredOperationLog';
import { startApi, type ApiHarness } from '../../server/test/helpers/apiHarness';

/** The built bin, run as a user runs `npx nango` (npm test builds first). */
const BIN = join(__dirname, '..', 'dist', 'cli.js');
const KEY = 'cli-logs-secret-key';

function nango(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// Every step starts a node process: slow on a busy 2-core machine.
jest.setTimeout(60_000);

describe('nango logs against a running server', () => {
  let api: ApiHarness;
  let log: StoredOperationLog;
  let env: Record<string, string>;
  const ids = { echo: '', proxy: '', old: '' };

  beforeAll(async () => {
    api = await startApi({ secretKey: KEY });
    env = { NANGO_HOSTPORT: api.url, NANGO_SECRET_KEY: KEY };
    log = api.worker.operationLog as StoredOperationLog;
    const at = Date.now() - 10 * 60_000; // ten minutes ago
    const echo = log.start({ kind: 'action', name: 'echo', integration: 'demo', connectionId: 'u1', startedAt: at });
    echo.message('info', 'said hello to Ada');
    echo.end('success');
    const proxy = log.start({ kind: 'proxy', name: 'GET /issues', integration: 'github', connectionId: 'u2', startedAt: at + 1 });
    proxy.end('failed', { code: 'provider_rate_limited', message: '429 from the provider' });
    const old = log.start({ kind: 'sync', name: 'issues', integration: 'github', startedAt: at - 3 * 3_600_000 });
    old.end('success');
    Object.assign(ids, { echo: echo.id, proxy: proxy.id, old: old.id });
    await log.flush();
  });
  afterAll(() => api?.stop());

  it('prints a table, newest first, with every filter as a flag', async () => {
    const all = await nango(['logs'], env);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^started\s+kind\s+status\s+duration\s+integration\s+connection\s+name\s+error\s+id$/);
    expect(lines[2]).toMatch(
      new RegExp(
        `^\\d{4}-\\S+\\s+proxy\\s+failed\\s+\\d+ ms\\s+github\\s+u2\\s+GET /issues\\s+provider_rate_limited\\s+${ids.proxy}$`,
      ),
    );
    expect(lines[3]).toContain(ids.echo);
    expect(lines[4]).toContain(ids.old);

    const only = async (...args: string[]) => {
      const { code, stdout, stderr } = await nango(['logs', ...args], env);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      return Object.values(ids).filter((id) => stdout.includes(id));
    };
    expect(await only('--kind', 'action')).toEqual([ids.echo]);
    expect(await only('--kind=action,sync', '--integration', 'github')).toEqual([ids.old]);
    expect(await only('--status', 'failed', '--error-code', 'provider_rate_limited')).toEqual([ids.proxy]);
    expect(await only('--connection-id', 'u1')).toEqual([ids.echo]);
    expect(await only('--from', '1h')).toEqual([ids.echo, ids.proxy]);
    expect(await only('--to', '1h')).toEqual([ids.old]);
    expect(await only('--search', 'hello')).toEqual([ids.echo]);
    expect(await only('--end-user-id', 'nobody')).toEqual([]);
  });

  it('pages with --limit and --cursor, and prints JSON with --json', async () => {
    const first = await nango(['logs', '--limit', '2'], env);
    const cursor = /--cursor (\S+)/.exec(first.stdout)?.[1] as string;
    expect(cursor).toBeDefined();
    const second = await nango(['logs', '--limit', '2', '--cursor', cursor, '--json'], env);
    expect(JSON.parse(second.stdout)).toEqual({ operations: [expect.objectContaining({ id: ids.old })], next_cursor: null });
  });

  it('shows one operation with its messages', async () => {
    const shown = await nango(['logs', ids.echo], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/kind\s+action/);
    expect(shown.stdout).toMatch(/\d{4}-\S+\s+info\s+said hello to Ada/);
    const json = JSON.parse((await nango(['logs', ids.echo, '--json'], env)).stdout);
    expect(json).toMatchObject({ operation: { id: ids.echo }, messages: [{ level: 'info', text: 'said hello to Ada' }] });
    expect(await nango(['logs', '01ARZ3NDEKTSV4RRFFQ69G5FAV'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('No operation'),
    });
  });

  it('says what is wrong with a command line, and helps', async () => {
    expect(await nango(['logs', '--nope'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown option --nope'),
    });
    expect(await nango(['logs', '--kind'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--kind needs a value'),
    });
    expect(await nango(['logs', '--follow', '--limit', '5'], env)).toMatchObject({ code: 2 });
    expect(await nango(['logs', ids.echo, '--kind', 'action'], env)).toMatchObject({ code: 2 });
    expect(await nango(['logs', '--kind', 'nope'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("unknown kind 'nope'"),
    });
    expect(await nango(['logs'], { NANGO_HOSTPORT: api.url, NANGO_SECRET_KEY: '' })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Set NANGO_SECRET_KEY'),
    });
    const help = await nango(['logs', '--help'], {});
    expect(help.code).toBe(0);
    for (const flag of [
      '--kind',
      '--status',
      '--integration',
      '--connection-id',
      '--end-user-id',
      '--error-code',
      '--from',
      '--to',
      '--search',
      '--limit',
      '--cursor',
      '--json',
      '--follow',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect((await nango(['help'], {})).stdout).toContain('nango logs [operation_id] [options]');
  });

  it('follows new operations and their ends until stopped', async () => {
    const child = spawn(process.execPath, [BIN, 'logs', '--follow', '--kind', 'action'], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => stdout.startsWith('started'));
      const running = log.start({ kind: 'action', name: 'followed', integration: 'demo', connectionId: 'u9' });
      log.start({ kind: 'proxy', name: 'GET /not-followed' }).end('success');
      await waitFor(() => stdout.includes(running.id));
      running.end('success');
      await waitFor(() => stdout.split('\n').filter((line) => line.includes(running.id)).length === 2);
      const lines = stdout.split('\n').filter((line) => line.includes(running.id));
      expect(lines[0]).toMatch(/\baction\s+running\s+-\s+demo\s+u9\s+followed\b/);
      expect(lines[1]).toMatch(/\baction\s+success\s+\d+ ms\s+demo\s+u9\s+followed\b/);
      expect(stdout).not.toContain('not-followed');
    } catch (error) {
      throw new Error(`${(error as Error).message}; the command printed:\n${stdout}\n${stderr}`);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
