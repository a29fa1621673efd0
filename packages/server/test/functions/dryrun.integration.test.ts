import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import type { Harness } from '../helpers/harness';
import { startModeHarness, type ModeHarness } from '../authModes/modeHarness';
import { createFunctionsProject, type FunctionsProject } from './functionsProject';

const SECRET = 'functions-dryrun-secret-key';
const API_KEY = 'echo-api-key-5678';

/** What the official CLI's `dryrun --save` writes to `<integration>/tests/<name>.test.json` (its "unified" mocks). */
interface SavedMocks {
  input?: unknown;
  output?: unknown;
  nango: { getMetadata?: unknown; getConnection?: unknown; batchSave?: Record<string, unknown[]> };
  api: Record<string, Record<string, { status: number; response: unknown; request: Record<string, unknown> }>>;
}

/** An action reading the Connection, calling the API through the proxy, logging and updating the metadata. */
const LOOKUP = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Looks the text up',
    version: '1.0.0',
    input: z.object({ text: z.string() }),
    output: z.object({ found: z.string(), remote: z.unknown(), team: z.unknown(), connection: z.string() }),
    metadata: z.object({ team: z.string().optional(), last: z.string().optional() }),
    exec: async (nango, input) => {
        const res = await nango.get({ endpoint: '/lookup', params: { q: input.text } });
        await nango.log('looked up', { text: input.text });
        const metadata = await nango.getMetadata();
        const connection = await nango.getConnection();
        await nango.updateMetadata({ last: input.text });
        return { found: 'dry-' + input.text, remote: res.data, team: metadata?.team, connection: connection.connection_id };
    }
});
`;

/**
 * An action replayable by the official mocks: they answer getMetadata and the API calls, but their getConnection is
 * only `{ connectionId, provider }`, so LOOKUP (which reads `connection_id`) could not replay, on Nango's server either.
 */
const NOTE = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Notes the text',
    version: '1.0.0',
    input: z.object({ text: z.string() }),
    output: z.object({ noted: z.string(), remote: z.unknown(), team: z.unknown() }),
    metadata: z.object({ team: z.string().optional() }).passthrough(),
    exec: async (nango, input) => {
        const res = await nango.get({ endpoint: '/lookup', params: { q: input.text } });
        const metadata = await nango.getMetadata();
        return { noted: input.text.toUpperCase(), remote: res.data, team: metadata?.team };
    }
});
`;

/** A sync saving what the API lists: a dry run prints what it would save and saves nothing. */
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
        const res = await nango.get<{ items: { id: string; name: string }[] }>({ endpoint: '/items' });
        await nango.batchSave(res.data.items, 'Item');
    }
});
`;

/**
 * The official `nango` CLI (0.71.10, unchanged) dry-runs a function of a local project against a running worker: it
 * reads the Connection and the integration through our routes, calls the API through our proxy, prints the result and
 * stores nothing.
 */
describe('nango dryrun of the official CLI against our server', () => {
  let api: ApiServer;
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let project: FunctionsProject;
  const withKey = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    api = await startApiServer((request) =>
      request.url === '/items'
        ? {
            body: {
              items: [
                { id: 'i1', name: 'first' },
                { id: 'i2', name: 'second' },
              ],
            },
          }
        : { body: { answer: 42, url: request.url } },
    );
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
      'index.ts': "import './echo/actions/lookup.js';\nimport './echo/actions/note.js';\nimport './echo/syncs/items.js';\n",
      'echo/syncs/items.ts': ITEMS,
      'echo/actions/lookup.ts': LOOKUP,
      'echo/actions/note.ts': NOTE,
    });
    // The CLI reads the project's compiled definitions (build/) before it compiles: a fresh project is compiled once.
    const compiled = await project.compile();
    console.log(`nango compile took ${compiled.ms} ms`);
    if (compiled.code !== 0) throw new Error(compiled.output);
  }, 180_000);

  afterAll(async () => {
    await mode?.stop();
    await api?.close();
    project?.remove();
  });

  it('dry-runs an action with input: prints its result, proxied with the Connection credential, storing only its metadata update', async () => {
    const run = await project.dryrun(url, SECRET, 'lookup', 'ann', ['--input', '{"text":"hi"}']);
    console.log(`nango dryrun took ${run.ms} ms`);
    expect(run.code).toBe(0);
    expect(run.output).toContain('"found": "dry-hi"');
    expect(run.output).toContain('"answer": 42');
    expect(run.output).toContain('"team": "blue"');
    expect(api.requests.at(-1)?.url).toBe('/lookup?q=hi');
    expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${API_KEY}`);

    const deployments = await fetch(`${url}/functions/deployments`, { headers: withKey });
    expect(await deployments.json()).toEqual({ deployments: [] });
    // The one write a dry run makes, as against Nango's server: the function's own metadata update.
    expect((await h.nango.getConnection('echo', 'ann')).returnValue?.additionalConfig).toEqual({ team: 'blue', last: 'hi' });
  }, 60_000);

  it('dry-runs a sync: prints the records it would save, and saves none', async () => {
    // --save too: its mocks are checked below (one dry run less on a slow machine).
    const run = await project.dryrun(url, SECRET, 'items', 'ann', ['--auto-confirm', '--save']);
    console.log(`nango dryrun of a sync took ${run.ms} ms`);
    if (run.code !== 0) throw new Error(run.output);
    expect(run.output).toContain('The dry run would produce the following results');
    expect(run.output).toContain('"first"');
    expect(run.output).toContain('"second"');
    expect(api.requests.at(-1)?.url).toBe('/items');
    const records = await fetch(`${url}/records?model=Item`, {
      headers: { ...withKey, 'connection-id': 'ann', 'provider-config-key': 'echo' },
    });
    // Nothing deployed, nothing saved: the records store knows no model `Item` for this integration.
    expect(records.status).toBe(400);
    expect(await records.text()).toContain("'Item' is not a model of any sync of integration 'echo'");
  }, 60_000);

  it("dry-runs with --save: the official CLI writes the responses it got through our proxy as Nango's mocks", async () => {
    const action = await project.dryrun(url, SECRET, 'note', 'ann', ['--input', '{"text":"saved"}', '--save']);
    if (action.code !== 0) throw new Error(action.output);
    const note = JSON.parse(readFileSync(join(project.dir, 'echo', 'tests', 'note.test.json'), 'utf8')) as SavedMocks;
    expect(note.input).toEqual({ text: 'saved' });
    expect(note.output).toEqual({ noted: 'SAVED', remote: { answer: 42, url: '/lookup?q=saved' }, team: 'blue' });
    expect(note.nango.getMetadata).toMatchObject({ team: 'blue' });
    expect(note.api['get']?.['/lookup']).toMatchObject({
      status: 200,
      response: { answer: 42, url: '/lookup?q=saved' },
      request: { params: { q: 'saved' } },
    });
    const items = JSON.parse(readFileSync(join(project.dir, 'echo', 'tests', 'items.test.json'), 'utf8')) as SavedMocks;
    expect(items.nango.batchSave).toEqual({
      Item: [
        { id: 'i1', name: 'first' },
        { id: 'i2', name: 'second' },
      ],
    });
    expect(items.api['get']?.['/items']).toMatchObject({ status: 200, response: { items: [{ id: 'i1' }, { id: 'i2' }] } });
    // The credential went to the provider through our proxy, never back to the CLI: no mock holds it.
    for (const text of [JSON.stringify(note), JSON.stringify(items)]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(SECRET);
    }
  }, 90_000);

  it('stops with our error for an unknown Connection, calling no API', async () => {
    const before = api.requests.length;
    const run = await project.dryrun(url, SECRET, 'lookup', 'nobody', ['--input', '{"text":"hi"}']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("No Connection for user 'nobody' on integration 'echo'");
    expect(api.requests.length).toBe(before);
  }, 60_000);

  // Last: the generated tests are .ts files of the project, which every later compile would type-check too.
  it("replays the saved mocks with the official CLI's generated vitest tests, the provider stopped", async () => {
    const generated = await project.generateTests();
    console.log(`nango generate:tests took ${generated.ms} ms`);
    if (generated.code !== 0) throw new Error(generated.output);
    expect(generated.output).toContain('echo/tests/echo-note.test.ts');
    expect(generated.output).toContain('echo/tests/echo-items.test.ts');
    await api.close();
    const before = api.requests.length;
    const run = await project.vitest();
    console.log(`vitest run took ${run.ms} ms`);
    // lookup has mocks from no --save run here, so only the two functions saved above have tests.
    expect(run.output).toMatch(/Test Files\s+2 passed \(2\)/);
    expect(run.code).toBe(0);
    expect(api.requests.length).toBe(before);
  }, 120_000);
});
