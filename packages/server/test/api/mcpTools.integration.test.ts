import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { openStore } from '../../src/store/openStore';
import { startHarness, waitFor, type Harness } from '../helpers/harness';

const SECRET_KEY = 'sk-mcp-test-0123456789';

/**
 * `echo` and `throws` declare an input schema: they are tools. `returnsNothing` declares none, and `listed` one
 * whose type is not `object`: neither is.
 */
const YAML = `
integrations:
  demo:
    auth_mode: API_KEY
    base_url: https://demo.example.test
    query_params:
      key: \${api_key}
    actions:
      echo:
        description: Echoes its input back
        input:
          type: object
          properties:
            msg: { type: string, maxLength: 20, description: What to echo }
            count: { type: integer }
          required: [msg]
          additionalProperties: false
      returnsNothing:
      withHelper:
        input: { type: string }
  broken:
    auth_mode: API_KEY
    base_url: https://broken.example.test
    query_params:
      key: \${api_key}
    actions:
      throws:
        input: { type: object }
`;

/** The official MCP client, connected to `/mcp` of the worker for one Connection. */
async function connect(url: string, headers: Record<string, string>): Promise<{ client: Client; close: () => Promise<void> }> {
  const client = new Client({ name: 'mcp-tools-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

/** The text of a tool result's one content part. */
function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = result.content as { type: string; text?: string }[];
  expect(content).toHaveLength(1);
  expect(content[0]?.type).toBe('text');
  return content[0]?.text ?? '';
}

describe('MCP server: actions as tools at /mcp', () => {
  let h: Harness;
  let open: { client: Client; close: () => Promise<void> }[] = [];
  const url = () => h.worker.httpUrl as string;
  const auth = { authorization: `Bearer ${SECRET_KEY}` };
  const demo = { ...auth, 'connection-id': 'u-1', 'provider-config-key': 'demo' };

  async function connected(headers: Record<string, string> = demo): Promise<Client> {
    const session = await connect(url(), headers);
    open.push(session);
    return session.client;
  }

  beforeAll(async () => {
    h = await startHarness({ yaml: YAML, port: 0, secretKey: SECRET_KEY });
    await h.nango.registerConnection('demo', 'u-1', { api_key: 'the-api-key-value' });
    await h.nango.registerConnection('broken', 'u-1', { api_key: 'k' });
    await h.worker.brokerLinksReady();
  });
  afterEach(async () => {
    await Promise.all(open.map((session) => session.close()));
    open = [];
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists the actions with an object input schema as tools, with their description and schema', async () => {
    const client = await connected();
    const { tools } = await client.listTools();
    expect(tools).toEqual([
      {
        name: 'echo',
        description: 'Echoes its input back',
        inputSchema: {
          type: 'object',
          properties: {
            msg: { type: 'string', maxLength: 20, description: 'What to echo' },
            count: { type: 'integer' },
          },
          required: ['msg'],
          additionalProperties: false,
        },
      },
    ]);
    const broken = await connected({ ...auth, 'connection-id': 'u-1', 'provider-config-key': 'broken' });
    expect((await broken.listTools()).tools).toEqual([
      { name: 'throws', description: 'throws', inputSchema: { type: 'object' } },
    ]);
  });

  it('calls a tool through the action runner: output as structured content and text, its operation in _meta', async () => {
    const client = await connected();
    const result = await client.callTool({ name: 'echo', arguments: { msg: 'hi', count: 2 } });
    const output = {
      input: { msg: 'hi', count: 2 },
      userId: 'u-1',
      additionalConfig: {},
      credentialKeys: expect.arrayContaining(['api_key']),
    };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual(output);
    expect(JSON.parse(textOf(result))).toEqual(output);
    // The run is an operation of the log, as any other action run.
    const operationId = (result._meta as { operationId?: string } | undefined)?.operationId;
    expect(typeof operationId).toBe('string');
    // The log is written in batches: the operation shows up, then ended, shortly.
    let operation: { operation?: { status?: string } } | undefined;
    await waitFor(
      async () => {
        const response = await fetch(`${url()}/logs/operations/${operationId}`, { headers: auth });
        operation = response.status === 200 ? ((await response.json()) as typeof operation) : undefined;
        return operation?.operation?.status !== undefined && operation.operation.status !== 'running';
      },
      5_000,
      'the operation of the tool call to end',
    );
    expect(operation).toMatchObject({
      operation: { kind: 'action', name: 'echo', integration: 'demo', connection_id: 'u-1', status: 'success' },
    });
    expect(h.rawLogs.join('\n')).not.toContain('the-api-key-value');
  });

  it('refuses an input the schema refuses: a tool error naming each field', async () => {
    const client = await connected();
    const result = await client.callTool({ name: 'echo', arguments: { count: 'x', extra: true } });
    expect(result.isError).toBe(true);
    const error = (result.structuredContent as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('invalid_action_input');
    expect(error.message).toContain('input.msg: is required');
    expect(error.message).toContain('input.extra: is not allowed');
    expect(error.message).toContain('input.count: must be integer');
    expect(textOf(result)).toBe(`invalid_action_input: ${error.message}`);
  });

  it("answers an action that throws with a tool error carrying action_failed and the action's message", async () => {
    const client = await connected({ ...auth, 'connection-id': 'u-1', 'provider-config-key': 'broken' });
    const result = await client.callTool({ name: 'throws', arguments: {} });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toEqual({
      error: { code: 'action_failed', message: expect.stringContaining('Slack said: channel_not_found') },
    });
    expect(typeof (result._meta as { operationId?: string } | undefined)?.operationId).toBe('string');
  });

  it('honours an idempotency key given in the call _meta: one run per key, a reuse for another input refused', async () => {
    const client = await connected();
    const key = `mcp-${Date.now()}`;
    const first = await client.callTool({ name: 'echo', arguments: { msg: 'once' }, _meta: { idempotencyKey: key } });
    const again = await client.callTool({ name: 'echo', arguments: { msg: 'once' }, _meta: { idempotencyKey: key } });
    expect(first.isError).toBeFalsy();
    expect(again.structuredContent).toEqual(first.structuredContent);
    const reused = await client.callTool({ name: 'echo', arguments: { msg: 'other' }, _meta: { idempotencyKey: key } });
    expect(reused).toMatchObject({ isError: true, structuredContent: { error: { code: 'idempotency_key_reused' } } });
    const bad = await client.callTool({ name: 'echo', arguments: { msg: 'x' }, _meta: { idempotencyKey: '' } });
    expect(bad).toMatchObject({ isError: true, structuredContent: { error: { code: 'invalid_request' } } });
  });

  it('refuses a tool that is not offered with a protocol error saying why', async () => {
    const client = await connected();
    const call = (name: string) => client.callTool({ name, arguments: {} });
    await expect(call('returnsNothing')).rejects.toThrow(McpError);
    await expect(call('returnsNothing')).rejects.toThrow(
      "Tool 'returnsNothing' is not offered: action 'returnsNothing' declares no input schema; tools of 'demo': echo",
    );
    await expect(call('withHelper')).rejects.toThrow("the input schema of action 'withHelper' is not of type 'object'");
    await expect(call('nope')).rejects.toThrow("Unknown tool 'nope': integration 'demo' offers echo");
  });

  it('refuses a wrong key, or none, with 401 as the rest of the API', async () => {
    await expect(connect(url(), { ...demo, authorization: 'Bearer not-the-key' })).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('unauthorized'),
    });
    const withoutKey: Record<string, string> = { ...demo };
    delete withoutKey['authorization'];
    await expect(connect(url(), withoutKey)).rejects.toMatchObject({ code: 401 });
  });

  it('names an unknown Connection or integration, and a missing header', async () => {
    await expect(connect(url(), { ...demo, 'connection-id': 'nobody' })).rejects.toMatchObject({
      code: 404,
      message: expect.stringContaining("No Connection for user 'nobody' on integration 'demo'"),
    });
    await expect(connect(url(), { ...demo, 'provider-config-key': 'nowhere' })).rejects.toMatchObject({
      code: 404,
      message: expect.stringContaining("Unknown integration 'nowhere'"),
    });
    const withoutConnection: Record<string, string> = { ...demo };
    delete withoutConnection['connection-id'];
    await expect(connect(url(), withoutConnection)).rejects.toMatchObject({
      code: 400,
      message: expect.stringContaining('connection-id'),
    });
  });

  it('refuses a JSON-RPC batch: one message per POST, so the rate limit counts each call', async () => {
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { msg: 'x' } },
    });
    const response = await fetch(`${url()}/mcp`, {
      method: 'POST',
      headers: { ...demo, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify([call(1), call(2)]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32600, message: expect.stringContaining('not a batch') },
    });
  });

  it('answers GET and DELETE with 405: the server is stateless, it opens no stream and has no session', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${url()}/mcp`, { method, headers: { ...demo, accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
  });

  it("offers the active deployment's actions too, and runs them through the same path", async () => {
    // Stored as `nango deploy` stores it: a CommonJS bundle whose default export is what createAction makes.
    const { store } = await openStore(process.env, { kind: 'sqlite', path: h.dbPath });
    try {
      await store.functionDeployments.add([
        {
          integration: 'demo',
          name: 'greet',
          type: 'action',
          version: '0.0.1',
          js: 'module.exports = { default: { exec: async (nango, input) => ({ hello: input.name }) } };',
          description: 'Greets someone',
          inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
          models: [],
          modelSchemas: {},
          runs: null,
          autoStart: false,
        },
      ]);
    } finally {
      await store.close();
    }
    const client = await connected();
    expect((await client.listTools()).tools.map((tool) => [tool.name, tool.description])).toEqual([
      ['echo', 'Echoes its input back'],
      ['greet', 'Greets someone'],
    ]);
    const result = await client.callTool({ name: 'greet', arguments: { name: 'Ada' } });
    expect(result).toMatchObject({ structuredContent: { hello: 'Ada' } });
    expect(result.isError).toBeFalsy();
    const refused = await client.callTool({ name: 'greet', arguments: {} });
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: { code: 'invalid_action_input' } } });
  });
});
