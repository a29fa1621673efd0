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

const SECRET = 'functions-deploy-secret-key';
const API_KEY = 'echo-api-key-1234';

/** An action in Nango's current format: zod input and output, a request through `nango.get`, a log line. */
const shout = (suffix: string) => `import { createAction } from 'nango';
import * as z from 'zod';

const action = createAction({
    description: 'Shouts the text back, with what the API answered',
    version: '1.0.0',
    endpoint: { method: 'POST', path: '/shout' },
    input: z.object({ text: z.string() }),
    output: z.object({ shouted: z.string(), remote: z.unknown(), metadata: z.unknown() }),
    metadata: z.object({ team: z.string().optional(), last: z.string().optional() }),
    exec: async (nango, input) => {
        const res = await nango.get({ endpoint: '/ping', params: { q: input.text } });
        await nango.log('shouting', { text: input.text });
        const metadata = await nango.getMetadata();
        await nango.updateMetadata({ last: input.text });
        return { shouted: input.text.toUpperCase() + '${suffix}', remote: res.data, metadata };
    }
});
export type NangoActionLocal = Parameters<(typeof action)['exec']>[0];
export default action;
`;

/** A deployed action named like our own `call` action of the same integration: ours wins. */
const CALL = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Clashes with the integration\\'s own action',
    version: '1.0.0',
    input: z.object({}),
    output: z.object({ deployed: z.boolean() }),
    exec: async () => ({ deployed: true })
});
`;

const ITEMS = `import { createSync } from 'nango';
import * as z from 'zod';

const Item = z.object({ id: z.string(), name: z.string() });
export default createSync({
    description: 'Items',
    version: '1.0.0',
    frequency: 'every hour',
    autoStart: true,
    syncType: 'full',
    endpoints: [{ method: 'GET', path: '/items' }],
    models: { Item },
    exec: async (nango) => {
        const res = await nango.get<{ id: string; name: string }[]>({ endpoint: '/items' });
        await nango.batchSave(res.data, 'Item');
    }
});
`;

/**
 * The official `nango` CLI (0.71.10, unchanged) deploys a functions project to a running worker, whose deployed
 * action then answers through our node client and the official @nangohq/node; a second deployment replaces the
 * first, a bad one is refused naming the problem with the previous one still active, and a rollback restores one.
 */
describe('functions deployed by the official nango CLI', () => {
  let api: ApiServer;
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let project: FunctionsProject;
  const auth = { authorization: `Bearer ${SECRET}` };
  const withKey = { ...auth, 'content-type': 'application/json' };
  const official = () => new Nango({ host: url, secretKey: SECRET });

  beforeAll(async () => {
    api = await startApiServer((request) => ({ body: { pong: true, url: request.url } }));
    mode = await startModeHarness({
      yaml: `
integrations:
  echo:
    auth_mode: API_KEY
    base_url: ${api.url}
    headers:
      Authorization: Bearer \${api_key}
`,
      withScripts: ['echo'],
      secretKey: SECRET,
    });
    ({ harness: h, url } = mode);
    await h.nango.registerConnection('echo', 'ann', { api_key: API_KEY }, { team: 'blue' });
    project = createFunctionsProject({
      'index.ts': "import './echo/actions/shout.js';\nimport './echo/actions/call.js';\nimport './echo/syncs/items.js';\n",
      'echo/actions/shout.ts': shout(''),
      'echo/actions/call.ts': CALL,
      'echo/syncs/items.ts': ITEMS,
    });
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await api?.close();
    project?.remove();
  });

  const deployments = async () => {
    const reply = await fetch(`${url}/functions/deployments`, { headers: withKey });
    expect(reply.status).toBe(200);
    return ((await reply.json()) as { deployments: { version: number; active: boolean; rolledBackFrom: number | null }[] })
      .deployments;
  };

  it('deploys with `nango deploy dev --auto-confirm`, and the action runs through both clients', async () => {
    const deployed = await project.deploy(url, SECRET);
    console.log(`nango deploy took ${deployed.ms} ms`);
    expect(deployed.output).toContain('Successfully deployed the functions');
    expect(deployed.output).toContain('shout@v1.0.0');
    expect(deployed.code).toBe(0);
    expect(await deployments()).toMatchObject([{ version: 1, active: true, rolledBackFrom: null }]);

    const ours = await h.nango.triggerAction('echo', 'shout', 'ann', { text: 'hi' });
    expect(ours.returnValue).toEqual({ shouted: 'HI', remote: { pong: true, url: '/ping?q=hi' }, metadata: { team: 'blue' } });
    // Through our outbound path: the Connection's credential went on the request.
    expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${API_KEY}`);

    const theirs = await official().triggerAction<{ shouted: string }>('echo', 'ann', 'shout', { text: 'yo' });
    expect(theirs).toMatchObject({ shouted: 'YO', metadata: { team: 'blue', last: 'hi' } });
    // updateMetadata went through the worker to the store.
    expect((await h.nango.getConnection('echo', 'ann')).returnValue?.additionalConfig).toEqual({ team: 'blue', last: 'yo' });

    // The deployed input schema is checked before the run, as for our own actions.
    const bad = await fetch(`${url}/action/trigger`, {
      method: 'POST',
      headers: { ...withKey, 'connection-id': 'ann', 'provider-config-key': 'echo' },
      body: JSON.stringify({ action_name: 'shout', input: { text: 5 } }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_action_input' } });

    // The integration's own `call` action wins over the deployed one of that name.
    const call = await h.nango.triggerAction('echo', 'call', 'ann', { endpoint: '/own' });
    expect(JSON.stringify(call.returnValue)).not.toContain('deployed');
  }, 60_000);

  it('offers the deployed action as a tool of the MCP server, called through the same path', async () => {
    const client = new Client({ name: 'functions-test', version: '1.0.0' });
    const headers = { ...auth, 'connection-id': 'ann', 'provider-config-key': 'echo' };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
    try {
      const { tools } = await client.listTools();
      const shoutTool = tools.find((tool) => tool.name === 'shout');
      expect(shoutTool).toMatchObject({ description: 'Shouts the text back, with what the API answered' });
      expect(shoutTool?.inputSchema).toMatchObject({ type: 'object', required: ['text'] });
      const called = await client.callTool({ name: 'shout', arguments: { text: 'mcp' } });
      expect(JSON.stringify(called.content)).toContain('MCP');
    } finally {
      await client.close();
    }
  });

  it('replaces the first deployment with a second one', async () => {
    project.write('echo/actions/shout.ts', shout('!'));
    const deployed = await project.deploy(url, SECRET);
    console.log(`second nango deploy took ${deployed.ms} ms`);
    expect(deployed.code).toBe(0);
    const ours = await h.nango.triggerAction('echo', 'shout', 'ann', { text: 'hi' });
    expect(ours.returnValue).toMatchObject({ shouted: 'HI!' });
    expect((await deployments()).map((d) => [d.version, d.active])).toEqual([
      [2, true],
      [1, false],
    ]);
  }, 60_000);

  it('refuses a bad deployment naming each problem, and the previous one stays active', async () => {
    const flow = (overrides: Record<string, unknown>) => ({
      syncName: 'broken',
      providerConfigKey: 'echo',
      type: 'action',
      models: ['Missing'],
      fileBody: { js: 'module.exports = {', ts: '' },
      models_json_schema: { definitions: {} },
      ...overrides,
    });
    const body = {
      flowConfigs: [flow({}), flow({ syncName: 'other', providerConfigKey: 'nowhere' })],
      reconcile: true,
      debug: false,
    };
    for (const path of ['/sync/deploy/confirmation', '/sync/deploy']) {
      const reply = await fetch(`${url}${path}`, { method: 'POST', headers: withKey, body: JSON.stringify(body) });
      expect(reply.status).toBe(400);
      const { error } = (await reply.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('invalid_deployment');
      expect(error.message).toContain("flowConfigs[0] (echo/broken): model 'Missing' has no JSON Schema");
      expect(error.message).toContain('flowConfigs[0] (echo/broken): its bundle is not JavaScript');
      expect(error.message).toContain("flowConfigs[1] (nowhere/other): unknown integration 'nowhere'");
    }
    const unauthenticated = await fetch(`${url}/sync/deploy`, { method: 'POST', body: JSON.stringify(body) });
    expect(unauthenticated.status).toBe(401);
    expect((await deployments())[0]).toMatchObject({ version: 2, active: true });
    expect((await h.nango.triggerAction('echo', 'shout', 'ann', { text: 'hi' })).returnValue).toMatchObject({ shouted: 'HI!' });
  });

  it('rolls back to the first deployment, as a new version', async () => {
    const reply = await fetch(`${url}/functions/deployments/1/rollback`, { method: 'POST', headers: auth });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ version: 3, rolledBackFrom: 1 });
    expect((await deployments())[0]).toMatchObject({ version: 3, active: true, rolledBackFrom: 1 });
    expect((await h.nango.triggerAction('echo', 'shout', 'ann', { text: 'hi' })).returnValue).toMatchObject({ shouted: 'HI' });
    const missing = await fetch(`${url}/functions/deployments/99/rollback`, { method: 'POST', headers: auth });
    expect(missing.status).toBe(404);
  });
});
