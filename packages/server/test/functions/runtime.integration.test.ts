import type { Provider } from '../../src/providers/Provider';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { waitFor, type Harness } from '../helpers/harness';
import { startModeHarness, type ModeHarness } from '../authModes/modeHarness';
import { createFunctionsProject, type FunctionsProject } from './functionsProject';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    triggerAction<T>(providerConfigKey: string, connectionId: string, actionName: string, input?: unknown): Promise<T>;
    listRecords(config: Record<string, unknown>): Promise<{ records: Record<string, unknown>[] }>;
  };
};

const SECRET = 'functions-runtime-secret-key';
const API_KEY = 'echo-api-key-5678';

/**
 * Pages through /items (the catalog's cursor pagination, the page size from the call), each page with retries, then
 * triggers `double` (deployed) and `call` (our own format) for another Connection and asks the webhook URL.
 */
const COLLECT = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Collects every item, then asks another action to double their count',
    version: '1.0.0',
    input: z.object({ who: z.string() }),
    output: z.object({
        items: z.array(z.number()),
        webhook: z.string().nullish(),
        doubled: z.unknown(),
        own: z.unknown(),
        integration: z.unknown()
    }),
    exec: async (nango, input) => {
        const items: number[] = [];
        for await (const page of nango.paginate<number>({ endpoint: '/items', retries: 3, paginate: { limit: 2, limit_name_in_request: 'size' } })) {
            items.push(...page);
        }
        const doubled = await nango.triggerAction('echo', input.who, 'double', { n: items.length });
        // An action of our own format (integrations.yaml's folder), through the same runner.
        const own = await nango.triggerAction('echo', input.who, 'call', { endpoint: '/own' });
        return { items, webhook: await nango.getWebhookURL(), doubled, own, integration: await nango.getIntegration() };
    }
});
`;

const DOUBLE = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Doubles n, and says for whom',
    version: '1.0.0',
    input: z.object({ n: z.number() }),
    output: z.object({ twice: z.number(), for: z.string() }),
    exec: async (nango, input) => {
        const res = await nango.get({ endpoint: '/flaky', retries: 2 });
        return { twice: input.n * 2, for: nango.connectionId + ':' + String((res.data as { ok: boolean }).ok) };
    }
});
`;

/**
 * A sync using the same runtime: pages /notes (the catalog's cursor), triggers our own-format `call` action and saves
 * one record per Connection with what it got and the webhook URL.
 */
const NOTES = `import { createSync } from 'nango';
import * as z from 'zod';

const Note = z.object({ id: z.string(), count: z.number(), called: z.number(), webhook: z.string() });
export default createSync({
    description: 'Counts the notes',
    version: '1.0.0',
    frequency: 'every hour',
    autoStart: true,
    syncType: 'full',
    models: { Note },
    exec: async (nango) => {
        let count = 0;
        for await (const page of nango.paginate({ endpoint: '/notes' })) count += page.length;
        const called = await nango.triggerAction<{ endpoint: string }, { status: number }>('echo', nango.connectionId, 'call', { endpoint: '/notes-ping' });
        const webhook = (await nango.getWebhookURL()) ?? '';
        await nango.batchSave([{ id: nango.connectionId, count, called: called.status, webhook }], 'Note');
    }
});
`;

/** Triggers itself until the worker refuses. */
const LOOP = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Triggers itself',
    version: '1.0.0',
    input: z.object({ depth: z.number() }),
    output: z.object({ depth: z.number() }),
    exec: async (nango, input) => {
        const deeper = await nango.triggerAction<{ depth: number }, { depth: number }>('echo', nango.connectionId, 'loop', { depth: input.depth + 1 });
        return deeper;
    }
});
`;

/**
 * A deployed function's runtime against a running worker: paginate (with the catalog's proxy.paginate and retries
 * on a 503), triggerAction of another deployed action for another Connection (itself retrying a 503), getWebhookURL
 * and getIntegration, and a function that triggers itself stopped by the depth limit, all through the official
 * @nangohq/node triggerAction.
 */
describe('the functions runtime, deployed by the official nango CLI', () => {
  let api: ApiServer;
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let project: FunctionsProject;
  let itemsCalls = 0;
  let flakyCalls = 0;

  beforeAll(async () => {
    api = await startApiServer((request) => {
      const { pathname, searchParams } = new URL(request.url, 'http://x');
      if (pathname === '/items') {
        // The first page fails once with a 503: the function's retries get it on the second attempt.
        if (itemsCalls++ === 0) return { status: 503, body: { error: 'busy' } };
        const cursor = searchParams.get('cursor');
        return { body: cursor === null ? { data: [1, 2], next: 'p2' } : { data: [3], next: null } };
      }
      if (pathname === '/flaky') return flakyCalls++ === 0 ? { status: 503 } : { body: { ok: true } };
      if (pathname === '/notes')
        return { body: searchParams.get('cursor') === null ? { data: [1, 2], next: 'n2' } : { data: [3] } };
      if (pathname === '/notes-ping') return { status: 202, body: {} };
      return { status: 404, body: {} };
    });
    mode = await startModeHarness({
      yaml: `
integrations:
  echo:
    provider: echo-local
    auth_mode: API_KEY
    base_url: ${api.url}
    headers:
      Authorization: Bearer \${api_key}
`,
      withScripts: ['echo'],
      secretKey: SECRET,
      provider: {
        name: 'echo-local',
        display_name: 'Echo (local)',
        auth_mode: 'API_KEY',
        proxy: {
          base_url: api.url,
          paginate: { type: 'cursor', cursor_path_in_response: 'next', cursor_name_in_request: 'cursor', response_path: 'data' },
        },
      } as unknown as Provider,
    });
    ({ harness: h, url } = mode);
    await h.nango.registerConnection('echo', 'ann', { api_key: API_KEY });
    await h.nango.registerConnection('echo', 'bob', { api_key: API_KEY });
    project = createFunctionsProject({
      'index.ts':
        "import './echo/actions/collect.js';\nimport './echo/actions/double.js';\nimport './echo/actions/loop.js';\n" +
        "import './echo/syncs/notes.js';\n",
      'echo/actions/collect.ts': COLLECT,
      'echo/actions/double.ts': DOUBLE,
      'echo/actions/loop.ts': LOOP,
      'echo/syncs/notes.ts': NOTES,
    });
    const deployed = await project.deploy(url, SECRET);
    console.log(`nango deploy took ${deployed.ms} ms`);
    expect(deployed.output).toContain('Successfully deployed the functions');
    expect(deployed.code).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await mode?.stop();
    await api?.close();
    project?.remove();
  });

  const official = () => new Nango({ host: url, secretKey: SECRET });

  it('pages with retries, triggers another action for another Connection, and gives the webhook URL', async () => {
    const result = await official().triggerAction('echo', 'ann', 'collect', { who: 'bob' });
    expect(result).toEqual({
      items: [1, 2, 3],
      webhook: `${url}/webhook/prod/echo`,
      doubled: { twice: 6, for: 'bob:true' },
      own: expect.objectContaining({ ok: false, status: 404 }),
      integration: { unique_key: 'echo', provider: 'echo-local', display_name: 'Echo (local)', auth_mode: 'API_KEY' },
    });
    const items = api.requests.filter((request) => request.url.startsWith('/items'));
    // The 503 and its retry, then the second page: the catalog's cursor, the call's page size, the credential.
    expect(items.map((request) => request.url)).toEqual(['/items?size=2', '/items?size=2', '/items?size=2&cursor=p2']);
    expect(items.every((request) => request.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(api.requests.filter((request) => request.url === '/flaky')).toHaveLength(2);
  }, 60_000);

  it('gives a deployed sync the same runtime: paginate, triggerAction and getWebhookURL', async () => {
    const notes = async () =>
      (await official().listRecords({ providerConfigKey: 'echo', connectionId: 'ann', model: 'Note' })).records;
    await waitFor(async () => (await notes()).length === 1, 30_000, 'the notes sync to save its record');
    expect((await notes())[0]).toMatchObject({ id: 'ann', count: 3, called: 202, webhook: `${url}/webhook/prod/echo` });
  }, 60_000);

  it('stops a function that triggers itself at the depth limit, saying why', async () => {
    const error = await official()
      .triggerAction('echo', 'ann', 'loop', { depth: 0 })
      .catch((caught: { response?: { status: number; data: unknown } }) => caught);
    const reply = (error as { response?: { status: number; data: unknown } }).response;
    expect(reply?.status).toBe(500);
    expect(JSON.stringify(reply?.data)).toContain('actions may trigger actions 4 levels deep at most');
    // Our node client hears the same, with the action's failure code.
    await expect(h.nango.triggerAction('echo', 'loop', 'ann', { depth: 0 })).rejects.toMatchObject({
      code: 'action_failed',
      message: expect.stringContaining("triggerAction('echo', 'ann', 'loop') failed"),
    });
  }, 60_000);
});
