import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import type { Harness } from '../helpers/harness';
import { startModeHarness, type ModeHarness } from '../authModes/modeHarness';
import { createFunctionsProject, type FunctionsProject } from './functionsProject';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    triggerAction<T>(providerConfigKey: string, connectionId: string, actionName: string, input?: unknown): Promise<T>;
  };
};

const SECRET = 'functions-bundle-secret-key';

/** A `createFunction` with no external trigger: invoked on a Connection with an input, as an action is. */
const GREET = `import { createFunction } from 'nango/experimental';
import * as z from 'zod';

export default createFunction({
    description: 'Greets someone, with what the API answered',
    input: z.object({ who: z.string() }),
    output: z.object({ greeting: z.string(), kind: z.string(), connection: z.unknown(), remote: z.unknown() }),
    exec: async (nango, trigger) => {
        const body = await nango.get<{ hi: boolean }>({ endpoint: '/hello' });
        return { greeting: 'hello ' + trigger.input.who, kind: trigger.kind, connection: trigger.connection, remote: body };
    }
});
`;

/** An HTTP-triggered `createFunction`: stored and listed, not callable as an action. */
const HOOK = `import { createFunction } from 'nango/experimental';
import * as z from 'zod';

export default createFunction({
    description: 'Handles an incoming call',
    trigger: { kind: 'http' },
    input: z.object({ id: z.string() }),
    exec: async (nango, trigger) => {
        await nango.log('got ' + trigger.input.id);
    }
});
`;

/** A legacy action deployed first through POST /sync/deploy: the functions bundle keeps it. */
const LEGACY_JS = `module.exports = { default: { type: 'action', exec: async () => ({ legacy: true }) } };`;

type Named = { integrationId: string; name: string };
type BundleReply = { created: Named[]; updated: Named[]; unchanged: Named[]; deleted: Named[] };

/**
 * The official `nango` CLI (0.71.10, unchanged) deploys a project of `createFunction`s through the functions-bundle
 * routes: the functions join the legacy ones in one new deployment version; one with no external trigger answers
 * through our node client, the official @nangohq/node and the MCP tools; the preview tells what would change; a bad
 * bundle is refused naming each problem, with the previous version serving.
 */
describe('createFunction bundles deployed by the official nango CLI', () => {
  let api: ApiServer;
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let project: FunctionsProject;
  const auth = { authorization: `Bearer ${SECRET}` };
  const withKey = { ...auth, 'content-type': 'application/json' };

  beforeAll(async () => {
    api = await startApiServer((request) => ({ body: { hi: true, url: request.url } }));
    mode = await startModeHarness({
      yaml: `
integrations:
  echo:
    auth_mode: API_KEY
    base_url: ${api.url}
    headers:
      Authorization: Bearer \${api_key}
`,
      withScripts: [],
      secretKey: SECRET,
    });
    ({ harness: h, url } = mode);
    await h.nango.registerConnection('echo', 'ann', { api_key: 'echo-key-1234' });
    project = createFunctionsProject({
      'index.ts': "import './echo/functions/greet.js';\nimport './echo/functions/hook.js';\n",
      'echo/functions/greet.ts': GREET,
      'echo/functions/hook.ts': HOOK,
    });
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await api?.close();
    project?.remove();
  });

  const post = async (path: string, body: unknown) => {
    const reply = await fetch(`${url}${path}`, { method: 'POST', headers: withKey, body: JSON.stringify(body) });
    return { status: reply.status, body: (await reply.json()) as BundleReply & { error?: { code: string; message: string } } };
  };
  const deployments = async () => {
    const reply = await fetch(`${url}/functions/deployments`, { headers: auth });
    return (
      (await reply.json()) as { deployments: { version: number; active: boolean; functions: { name: string; type: string }[] }[] }
    ).deployments;
  };
  /** The bundle the CLI sent, rebuilt from what it left in the project (`.nango/functions.json` and `build/`). */
  const cliBundle = () => {
    const configs = JSON.parse(readFileSync(join(project.dir, '.nango', 'functions.json'), 'utf8')) as (Named & {
      filePath: string;
    })[];
    return configs.map(({ filePath, ...artifact }) => ({
      ...artifact,
      fileBody: {
        // The CLI's build file name: the source path with `_` for `/` (its tsToJsPath).
        js: readFileSync(
          join(project.dir, 'build', filePath.replace(/^\.\//, '').replaceAll('/', '_').replace(/\.ts$/, '.cjs')),
          'utf8',
        ),
        ts: readFileSync(join(project.dir, filePath), 'utf8'),
      },
    }));
  };

  it('deploys with `nango deploy`, keeping the legacy functions, and the invoke-only function runs', async () => {
    const legacy = await post('/sync/deploy', {
      flowConfigs: [{ syncName: 'old', providerConfigKey: 'echo', type: 'action', models: [], fileBody: { js: LEGACY_JS } }],
      reconcile: true,
    });
    expect(legacy.status).toBe(200);

    const deployed = await project.deploy(url, SECRET);
    console.log(`nango deploy of createFunctions took ${deployed.ms} ms`);
    expect(deployed.output).toContain('+ echo → greet');
    expect(deployed.output).toContain('Successfully deployed the functions');
    expect(deployed.output).toContain('- echo → hook');
    expect(deployed.code).toBe(0);
    const [active] = await deployments();
    expect(active).toMatchObject({ version: 2, active: true });
    expect(active?.functions.map((f) => `${f.type}:${f.name}`).sort()).toEqual(['action:old', 'function:greet', 'function:hook']);

    const ours = await h.nango.triggerAction('echo', 'greet', 'ann', { who: 'ann' });
    expect(ours.returnValue).toEqual({
      greeting: 'hello ann',
      kind: 'invoke',
      connection: { connectionId: 'ann', integrationId: 'echo' },
      remote: { hi: true, url: '/hello' },
    });
    expect(api.requests.at(-1)?.headers.authorization).toBe('Bearer echo-key-1234');
    const theirs = await new Nango({ host: url, secretKey: SECRET }).triggerAction<{ greeting: string }>('echo', 'ann', 'greet', {
      who: 'bo',
    });
    expect(theirs.greeting).toBe('hello bo');
    expect((await h.nango.triggerAction('echo', 'old', 'ann', {})).returnValue).toEqual({ legacy: true });

    // Its input schema is checked before the run; the HTTP-triggered one is not an action.
    const bad = await fetch(`${url}/action/trigger`, {
      method: 'POST',
      headers: { ...withKey, 'connection-id': 'ann', 'provider-config-key': 'echo' },
      body: JSON.stringify({ action_name: 'greet', input: { who: 5 } }),
    });
    expect(bad.status).toBe(400);
    const hook = await fetch(`${url}/action/trigger`, {
      method: 'POST',
      headers: { ...withKey, 'connection-id': 'ann', 'provider-config-key': 'echo' },
      body: JSON.stringify({ action_name: 'hook', input: { id: '1' } }),
    });
    expect(hook.status).toBe(404);
  }, 180_000);

  it('offers the invoke-only function as a tool of the MCP server', async () => {
    const client = new Client({ name: 'functions-bundle-test', version: '1.0.0' });
    const headers = { ...auth, 'connection-id': 'ann', 'provider-config-key': 'echo' };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
    try {
      const { tools } = await client.listTools();
      expect(tools.find((tool) => tool.name === 'greet')).toMatchObject({
        description: 'Greets someone, with what the API answered',
      });
      expect(tools.find((tool) => tool.name === 'hook')).toBeUndefined();
      const called = await client.callTool({ name: 'greet', arguments: { who: 'mcp' } });
      expect(JSON.stringify(called.content)).toContain('hello mcp');
    } finally {
      await client.close();
    }
  });

  it('previews what a bundle would change, storing nothing', async () => {
    const functions = cliBundle();
    const same = await post('/functions/deployments/bundle/preview', { reconciliationScope: { kind: 'environment' }, functions });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({
      created: [],
      updated: [],
      unchanged: [
        { integrationId: 'echo', name: 'greet' },
        { integrationId: 'echo', name: 'hook' },
      ],
      deleted: [],
    });
    const greet = functions.find((f) => f.name === 'greet');
    const changed = await post('/functions/deployments/bundle/preview', {
      reconciliationScope: { kind: 'integration', integrationId: 'echo' },
      functions: [{ ...greet, description: 'Greets anew' }],
    });
    expect(changed.body).toEqual({
      created: [],
      updated: [{ integrationId: 'echo', name: 'greet' }],
      unchanged: [],
      deleted: [{ integrationId: 'echo', name: 'hook' }],
    });
    // An unchanged bundle deployed stores no new version.
    const again = await post('/functions/deployments/bundle', { reconciliationScope: { kind: 'environment' }, functions });
    expect(again.body.unchanged).toHaveLength(2);
    expect((await deployments())[0]?.version).toBe(2);
  });

  it('refuses a bad bundle naming each problem, and the previous version serves', async () => {
    const body = {
      reconciliationScope: { kind: 'environment' },
      functions: [
        {
          name: 'broken',
          integrationId: 'echo',
          trigger: { kind: 'schedule', frequency: 'every day' },
          fileBody: { js: 'module.exports = {' },
        },
        {
          name: 'lost',
          integrationId: 'nowhere',
          trigger: { kind: 'none' },
          input_schema_ref: '#/definitions/Gone',
          fileBody: { js: '1' },
        },
      ],
    };
    for (const path of ['/functions/deployments/bundle/preview', '/functions/deployments/bundle']) {
      const reply = await post(path, body);
      expect(reply.status).toBe(400);
      expect(reply.body.error?.code).toBe('invalid_deployment');
      const message = reply.body.error?.message ?? '';
      expect(message).toContain("functions[0] (echo/broken): trigger kind 'schedule' is not supported");
      expect(message).toContain('functions[0] (echo/broken): its bundle is not JavaScript');
      expect(message).toContain("functions[1] (nowhere/lost): unknown integration 'nowhere'");
      expect(message).toContain("functions[1] (nowhere/lost): input_schema_ref '#/definitions/Gone' names no schema");
    }
    // A bundle that parses but exports no createFunction is refused when loaded.
    const notAFunction = await post('/functions/deployments/bundle', {
      reconciliationScope: { kind: 'environment' },
      functions: [{ name: 'plain', integrationId: 'echo', fileBody: { js: 'module.exports = { default: 42 };' } }],
    });
    expect(notAFunction.status).toBe(400);
    expect(notAFunction.body.error?.message).toContain('not a function made by createFunction');
    const unscoped = await post('/functions/deployments/bundle', { reconciliationScope: { kind: 'everything' }, functions: [] });
    expect(unscoped.status).toBe(400);
    const unauthenticated = await fetch(`${url}/functions/deployments/bundle`, { method: 'POST', body: JSON.stringify(body) });
    expect(unauthenticated.status).toBe(401);

    expect((await deployments())[0]).toMatchObject({ version: 2, active: true });
    expect((await h.nango.triggerAction('echo', 'greet', 'ann', { who: 'ann' })).returnValue).toMatchObject({
      greeting: 'hello ann',
    });
  });
});
