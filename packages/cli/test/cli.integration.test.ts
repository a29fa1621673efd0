import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { catalogOf, startApi, type ApiHarness } from '../../server/test/helpers/apiHarness';

/** The built bin, run as a user runs `npx nango` (npm test builds first). */
const BIN = join(__dirname, '..', 'dist', 'cli.js');
const KEY = 'cli-secret-key';

function nango(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = { ...process.env, NANGO_HOSTPORT: undefined, NANGO_SECRET_KEY: undefined, ...env };
    execFile(process.execPath, [BIN, ...args], { env: clean, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// Every step starts a node process: slow on a busy 2-core machine.
jest.setTimeout(60_000);

describe('the nango CLI against a running server', () => {
  let api: ApiHarness;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = await startApi({
      secretKey: KEY,
      yaml: 'integrations:\n  slack:\n    auth_mode: OAUTH2\n    base_url: https://slack.com/api\n',
      catalog: catalogOf({
        name: 'github',
        auth_mode: 'OAUTH2',
        authorization_url: 'https://github.example/authorize',
        token_url: 'https://github.example/token',
      }),
    });
    env = { NANGO_HOSTPORT: api.url, NANGO_SECRET_KEY: KEY };
  });
  afterAll(() => api?.stop());

  it('prints help, and help for each command', async () => {
    const help = await nango(['help'], {});
    expect(help.code).toBe(0);
    for (const command of [
      'config:list',
      'config:get',
      'config:create',
      'config:edit',
      'config:delete',
      'connection:get',
      'connection:list',
    ]) {
      expect(help.stdout).toContain(`nango ${command}`);
      const one = await nango([command, '--help'], {});
      expect(one).toMatchObject({ code: 0, stdout: expect.stringContaining(`Usage: nango ${command}`) });
    }
    expect(await nango([], {})).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: nango <command>') });
    expect(await nango(['nope'], {})).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'nope'") });
  });

  it('creates, lists, gets, edits and deletes an integration, printing tables', async () => {
    const created = await nango(['config:create', 'gh', 'github', 'client-1', 'secret-1', 'repo,user'], env);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringContaining("Created integration 'gh'") });
    const list = await nango(['config:list'], env);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^provider config key\s+provider\s+client id\s+scopes\s+source\s+created$/);
    expect(lines[1]).toMatch(/^-+\s+-+/);
    expect(lines[2]).toMatch(/^gh\s+github\s+client-1\s+repo,user\s+api\s+\d{4}-/);
    expect(lines[3]).toMatch(/^slack\s+-\s+-\s+-\s+file\s+-$/);
    expect(list.stdout).not.toContain('secret-1');
    const got = await nango(['config:get', 'gh'], env);
    expect(got.stdout).toMatch(/provider\s+github/);
    expect(await nango(['config:edit', 'gh', 'github', 'client-2', 'secret-2', 'repo'], env)).toMatchObject({ code: 0 });
    expect((await nango(['config:get', 'gh'], env)).stdout).toMatch(/oauth_client_id\s+client-2/);
    expect(await nango(['config:delete', 'gh'], env)).toMatchObject({ code: 0, stdout: "Deleted integration 'gh'.\n" });
  });

  it('lists Connections and reads one', async () => {
    await (
      await api.store()
    ).insert({
      integration: 'slack',
      userId: 'u1',
      credentials: { raw: { access_token: 'xoxb-1' }, access_token: 'xoxb-1' },
      additionalConfig: {},
    });
    const list = await nango(['connection:list'], env);
    expect(list.stdout).toMatch(/^connection id\s+provider config key\s+created\n-+/);
    expect(list.stdout).toMatch(/\nu1\s+slack\s+\d{4}-/);
    const got = await nango(['connection:get', 'u1', 'slack'], env);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({
      connection_id: 'u1',
      credentials: { type: 'OAUTH2', access_token: 'xoxb-1' },
    });
  });

  it('says plainly what went wrong, exiting non-zero', async () => {
    await nango(['config:create', 'dup', 'github', 'c', 's', 'x'], env);
    expect(await nango(['config:create', 'dup', 'github', 'c', 's', 'x'], env)).toMatchObject({
      code: 1,
      stderr: "Error: An integration 'dup' already exists\n",
    });
    expect(await nango(['config:create', 'other', 'nosuch', 'c', 's'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("Unknown provider 'nosuch'"),
    });
    expect(await nango(['config:create', 'other', 'github', 'c'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing <client_secret>'),
    });
    expect(await nango(['config:create', 'k', 'github', 'c', 's', 'read', 'write'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unexpected argument 'write'"),
    });
    expect(await nango(['config:get', 'nope'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("No integration 'nope'"),
    });
    expect(await nango(['config:delete', 'slack'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('integrations.yaml'),
    });
    expect(await nango(['connection:get', 'nobody', 'slack'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("No Connection for user 'nobody'"),
    });
    expect(await nango(['config:list'], { NANGO_HOSTPORT: api.url })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Set NANGO_SECRET_KEY'),
    });
    expect(await nango(['config:list'], { NANGO_HOSTPORT: api.url, NANGO_SECRET_KEY: 'wrong' })).toMatchObject({ code: 1 });

    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    expect(await nango(['config:list'], { NANGO_HOSTPORT: closed })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`Cannot reach the Nango server at ${closed} (ECONNREFUSED)`),
    });
    expect(await nango(['config:list'], { NANGO_HOSTPORT: 'localhost:3003' })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('NANGO_HOSTPORT'),
    });
  });
});
