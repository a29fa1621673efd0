import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startModeHarness, type ModeHarness } from '../../server/test/authModes/modeHarness';
import { startApiServer, type ApiServer } from '../../server/test/helpers/apiServer';

const BIN = join(__dirname, '..', 'dist', 'cli.js');
const KEY = 'deploy-cli-secret-key';
const API_KEY = 'shout-api-key-1357';

/** An our-format action calling the API with the Connection's credential. */
const YELL = `import { NangoAction } from '@nangohq/action';

export default class Yell extends NangoAction<{ text: string }, { yelled: string; remote: unknown }> {
  override async executeAction(input: { text: string }) {
    const response = await this.httpRequest('echo', 'GET', { q: input.text });
    return { yelled: input.text.toUpperCase(), remote: response.body };
  }
}
`;

/** An our-format sync, declared with its model in DECLARATIONS. */
const TALLY = `import { NangoSync } from '@nangohq/action';

export default class Tally extends NangoSync {
  override async fetchData() {
    const response = await this.httpRequest<{ items: { id: string; count: number }[] }>('items');
    await this.batchSave(response.body.items, 'Tally');
  }
}
`;

/** A sync no integrations.yaml declares: deploy skips it. */
const GHOST = `import { NangoSync } from '@nangohq/action';
export default class Ghost extends NangoSync {
  override async fetchData() {}
}
`;

/** The developer's integrations.yaml: the sync's model and frequency travel with it. */
const DECLARATIONS = `integrations:
  shout:
    syncs:
      tally:
        frequency: every hour
        models:
          Tally:
            type: object
            properties: { id: { type: string }, count: { type: integer } }
            required: [id, count]
`;

function nango(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = { ...process.env, NANGO_HOSTPORT: undefined, NANGO_SECRET_KEY: undefined, ...env };
    execFile(process.execPath, [BIN, ...args], { env: clean, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

jest.setTimeout(90_000);

/**
 * Our CLI's `nango deploy` compiles our-format actions of an integrations folder and stores them on the server through
 * POST /sync/deploy: the worker then runs them from the store, with no file of theirs on its disk.
 */
describe('nango deploy of our own CLI', () => {
  let mode: ModeHarness;
  let provider: ApiServer;
  let folder: string;
  let env: Record<string, string>;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  };

  beforeAll(async () => {
    provider = await startApiServer((request) =>
      request.url === '/items'
        ? {
            body: {
              items: [
                { id: 't1', count: 3 },
                { id: 't2', count: 5 },
              ],
            },
          }
        : { body: { heard: request.url } },
    );
    folder = mkdtempSync(join(tmpdir(), 'nango-deploy-src-'));
    mode = await startModeHarness({
      yaml: `integrations:\n  shout:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Key: \${api_key}\n`,
      withScripts: [],
      secretKey: KEY,
    });
    env = { NANGO_HOSTPORT: mode.url, NANGO_SECRET_KEY: KEY };
    await mode.harness.nango.registerConnection('shout', 'ann', { api_key: API_KEY });
  });

  afterAll(async () => {
    await mode?.stop();
    await provider?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('deploys an action and a declared sync (skipping an undeclared one), which the worker then runs from the store', async () => {
    write('shout/yell.action.ts', YELL);
    write('shout/tally.sync.ts', TALLY);
    write('shout/ghost.sync.ts', GHOST);
    write('decl.yaml', DECLARATIONS);
    const run = await nango(['deploy', '--integrations', folder, '--yaml', join(folder, 'decl.yaml')], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Skipped shout/ghost: a sync that ${join(folder, 'decl.yaml')} does not declare`);
    expect(run.stdout).toMatch(/Deployed shout\/yell \(deployment \d+\)/);
    expect(run.stdout).toMatch(/Deployed shout\/tally \(deployment \d+\)/);

    const result = await mode.harness.nango.triggerAction('shout', 'yell', 'ann', { text: 'hi' });
    expect(result).toMatchObject({ success: true, returnValue: { yelled: 'HI', remote: { heard: '/echo?q=hi' } } });
    expect(provider.requests.find((request) => request.url === '/echo?q=hi')?.headers['x-key']).toBe(API_KEY);
    const list = await fetch(`${mode.url}/functions/deployments`, { headers: mode.withKey });
    const { deployments } = (await list.json()) as { deployments: { active: boolean; functions: unknown[] }[] };
    expect(deployments[0]?.active).toBe(true);
    expect(deployments[0]?.functions).toEqual(
      expect.arrayContaining([
        { integration: 'shout', name: 'yell', type: 'action', version: '1' },
        { integration: 'shout', name: 'tally', type: 'sync', version: '1' },
      ]),
    );

    // The deployed sync starts by itself for the Connection and stores what it saves.
    const records = async () => {
      const reply = await fetch(`${mode.url}/records?model=Tally`, {
        headers: { ...mode.withKey, 'connection-id': 'ann', 'provider-config-key': 'shout' },
      });
      return reply.ok ? ((await reply.json()) as { records: { id: string; count: number }[] }).records : [];
    };
    const deadline = Date.now() + 30_000;
    while ((await records()).length < 2 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
    expect((await records()).map(({ id, count }) => ({ id, count }))).toEqual([
      { id: 't1', count: 3 },
      { id: 't2', count: 5 },
    ]);
  });

  it('refuses a file that does not compile, naming it and the line, and deploys nothing', async () => {
    const before = await fetch(`${mode.url}/functions/deployments`, { headers: mode.withKey }).then((r) => r.json());
    write('shout/broken.action.ts', 'export default class Broken extends {\n');
    const run = await nango(['deploy', 'shout', '--integrations', folder, '--yaml', join(folder, 'decl.yaml')], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${join(folder, 'shout', 'broken.action.ts')}: does not compile: 2:1: Expected identifier`);
    expect(await fetch(`${mode.url}/functions/deployments`, { headers: mode.withKey }).then((r) => r.json())).toEqual(before);
    rmSync(join(folder, 'shout', 'broken.action.ts'));
  });

  it("passes on the server's refusal of an unknown integration, and names a missing folder", async () => {
    write('nowhere/lost.action.ts', YELL);
    const unknown = await nango(['deploy', 'nowhere', '--integrations', folder, '--yaml', join(folder, 'decl.yaml')], env);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("unknown integration 'nowhere'") });
    const missing = await nango(['deploy', 'absent', '--integrations', folder], env);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining(`no folder ${join(folder, 'absent')}`) });
  });
});
