import { randomUUID } from 'node:crypto';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { startHarness, type Harness } from '../helpers/harness';
import type { WebhookBody, Webhooks } from '../../src/webhooks/Webhooks';

const { Nango: OfficialNango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => OfficialSdk;
};

interface OfficialSdk {
  triggerAction(key: string, connectionId: string, action: string, input?: unknown): Promise<unknown>;
  triggerActionAsync(
    key: string,
    connectionId: string,
    action: string,
    input?: unknown,
  ): Promise<{ id: string; statusUrl: string }>;
  getAsyncActionResult(ref: { id: string } | { statusUrl: string }): Promise<unknown>;
  getScriptsConfig(format?: 'nango' | 'openai'): Promise<unknown>;
}

const ECHO_SCHEMA = `
        input:
          type: object
          properties:
            msg: { type: string, maxLength: 20, description: What to echo }
            count: { type: integer }
          required: [msg]
          additionalProperties: false`;

function yaml(apiUrl: string): string {
  return `
integrations:
  demo:
    auth_mode: API_KEY
    base_url: https://demo.example.test
    query_params:
      key: \${api_key}
    actions:
      echo:
        description: Echoes its input back${ECHO_SCHEMA}
      returnsNothing:
  broken:
    auth_mode: API_KEY
    base_url: https://broken.example.test
    query_params:
      key: \${api_key}
    actions:
      throws:
  misbehaving:
    auth_mode: API_KEY
    base_url: https://misbehaving.example.test
    query_params:
      key: \${api_key}
    actions:
      sleeps:
        timeout_ms: 20000
  api:
    auth_mode: API_KEY
    base_url: ${apiUrl}
    http_timeout_ms: 300
    query_params:
      key: \${api_key}
    actions:
      call:
`;
}

/** A Webhooks that records what it was given. */
function recordingWebhooks(): Webhooks & { sent: WebhookBody[] } {
  const sent: WebhookBody[] = [];
  return { sent, enqueue: async (body) => void sent.push(body) };
}

const FAST_ASYNC = { leaseMs: 3_000, sweepMs: 200, queuedGraceMs: 500, retryDelayMs: 50 };

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  connection = 'u-1',
  integration = 'demo',
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(`${url}/action/trigger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'connection-id': connection, 'provider-config-key': integration, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? undefined : JSON.parse(text) };
}

/** Polls GET /action/:id until it is no longer 404. */
async function result(url: string, id: string, timeoutMs = 30_000): Promise<{ status: number; json: unknown }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/action/${id}`);
    const json = (await response.json()) as unknown;
    if (response.status !== 404) return { status: response.status, json };
    expect(json).toMatchObject({ error: { code: 'not_found' } });
    if (Date.now() > until) throw new Error(`async action ${id} did not finish in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('HTTP actions', () => {
  let h: Harness;
  let third: ApiServer;
  let calls = 0;
  const webhooks = recordingWebhooks();

  beforeAll(async () => {
    // The first call of every pair hangs past the integration's http_timeout_ms: http_request_failed, retryable.
    third = await startApiServer(() => ({ body: { n: ++calls }, delayMs: calls % 2 === 1 ? 2_000 : 0 }));
    h = await startHarness({ yaml: yaml(third.url), webhooks, asyncActionTimings: FAST_ASYNC });
    for (const integration of ['demo', 'broken', 'misbehaving', 'api']) {
      await h.nango.registerConnection(integration, 'u-1', { api_key: 'k' });
    }
  });
  afterAll(async () => {
    await h?.stop();
    // A hanging upstream answer (delayMs) may still be due: let it go out before the server closes.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await third?.close();
  });
  const url = () => h.worker.httpUrl as string;

  it('runs an action synchronously through the queue and answers its raw output', async () => {
    const reply = await post(url(), { action_name: 'echo', input: { msg: 'hi' } });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      input: { msg: 'hi' },
      userId: 'u-1',
      additionalConfig: {},
      credentialKeys: expect.arrayContaining(['api_key']),
    });
    const nothing = await post(url(), { action_name: 'returnsNothing' });
    expect(nothing).toMatchObject({ status: 200, json: null });
  });

  it('maps errors to statuses and codes', async () => {
    expect(await post(url(), { action_name: 'nope' })).toMatchObject({
      status: 404,
      json: { error: { code: 'unknown_action' } },
    });
    const thrown = await post(url(), { action_name: 'throws' }, {}, 'u-1', 'broken');
    expect(thrown).toMatchObject({
      status: 500,
      json: { error: { code: 'action_failed', message: expect.stringContaining('channel_not_found') } },
    });
    const bad = await post(url(), { action_name: 'echo', input: { msg: 42, extra: true } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_action_input' } });
    const message = (bad.json as { error: { message: string } }).error.message;
    expect(message).toContain('input.msg: must be string');
    expect(message).toContain('input.extra: is not allowed');
    const missing = await post(url(), { action_name: 'echo', input: {} });
    expect(missing.json).toMatchObject({
      error: { code: 'invalid_action_input', message: expect.stringContaining('input.msg: is required') },
    });
    const stranger = await post(url(), { action_name: 'echo', input: { msg: 'x' } }, {}, 'nobody');
    expect(stranger).toMatchObject({ status: 404, json: { error: { code: 'connection_not_found' } } });
    const noHeader = await fetch(`${url()}/action/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action_name: 'echo' }),
    });
    expect(noHeader.status).toBe(400);
  });

  it('validates the input over RabbitMQ alike', async () => {
    await expect(h.nango.triggerAction('demo', 'echo', 'u-1', { msg: 1 })).rejects.toMatchObject({
      code: 'invalid_action_input',
    });
  });

  it('runs a call with an Idempotency-Key at most once', async () => {
    const key = randomUUID();
    const before = calls;
    const first = await post(url(), { action_name: 'call', input: { endpoint: '/x' } }, { 'idempotency-key': key }, 'u-1', 'api');
    // The first upstream call hangs past the time limit: http_request_failed, not kept (a retry may run it again).
    expect(first).toMatchObject({ status: 502, json: { error: { code: 'http_request_failed' } } });
    const second = await post(
      url(),
      { action_name: 'call', input: { endpoint: '/x' } },
      { 'idempotency-key': key },
      'u-1',
      'api',
    );
    expect(second).toMatchObject({ status: 200, json: { status: 200, json: { n: before + 2 } } });
    const third_ = await post(
      url(),
      { action_name: 'call', input: { endpoint: '/x' } },
      { 'idempotency-key': key },
      'u-1',
      'api',
    );
    expect(third_.json).toEqual(second.json); // the kept outcome, not a new run
    expect(calls).toBe(before + 2);
    const other = await post(url(), { action_name: 'call', input: { endpoint: '/y' } }, { 'idempotency-key': key }, 'u-1', 'api');
    expect(other).toMatchObject({ status: 409, json: { error: { code: 'idempotency_key_reused' } } });
  });

  it('runs an async action: 202 and Location at once, 404 until it ends, then the output and a webhook', async () => {
    const accepted = await post(
      url(),
      { action_name: 'sleeps', input: { ms: 800 } },
      { 'x-async': 'true' },
      'u-1',
      'misbehaving',
    );
    expect(accepted.status).toBe(202);
    const { id, statusUrl } = accepted.json as { id: string; statusUrl: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(statusUrl).toBe(`/action/${id}`);
    expect(accepted.headers.get('location')).toBe(statusUrl);
    const early = await fetch(`${url()}${statusUrl}`);
    expect(early.status).toBe(404);
    expect(await result(url(), id)).toEqual({ status: 200, json: 'slept' });
    expect(webhooks.sent).toContainEqual({
      from: 'nango',
      type: 'async_action',
      connectionId: 'u-1',
      providerConfigKey: 'misbehaving',
      payload: { id, statusUrl },
    });
    expect(await fetch(`${url()}/action/${randomUUID()}`).then((r) => r.status)).toBe(404);
  });

  it('refuses an async call bound to fail before answering 202', async () => {
    const bad = await post(url(), { action_name: 'echo', input: { msg: 3 } }, { 'x-async': 'true' });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'invalid_action_input' } } });
    const stranger = await post(url(), { action_name: 'echo', input: { msg: 'x' } }, { 'x-async': 'true' }, 'nobody');
    expect(stranger).toMatchObject({ status: 404, json: { error: { code: 'connection_not_found' } } });
    const tooMany = await post(url(), { action_name: 'echo', input: { msg: 'x' } }, { 'x-async': 'true', 'x-max-retries': '9' });
    expect(tooMany.status).toBe(400);
  });

  it('retries a retryable failure up to X-Max-Retries, and keeps a failure after the last', async () => {
    const start = calls;
    const retried = await post(
      url(),
      { action_name: 'call', input: { endpoint: '/r' } },
      { 'x-async': 'true', 'x-max-retries': '1' },
      'u-1',
      'api',
    );
    const { id } = retried.json as { id: string };
    expect(await result(url(), id)).toEqual({
      status: 200,
      json: expect.objectContaining({ status: 200, json: { n: start + 2 } }),
    });

    const failed = await post(url(), { action_name: 'throws' }, { 'x-async': 'true', 'x-max-retries': '3' }, 'u-1', 'broken');
    const outcome = await result(url(), (failed.json as { id: string }).id);
    // action_failed is not retryable: one run, its error kept with its status.
    expect(outcome).toMatchObject({ status: 500, json: { error: { code: 'action_failed' } } });
    expect(h.logs.filter((line) => line.msg === 'async action failed; retrying')).toHaveLength(1);
  });

  it('maps an Idempotency-Key of an async call onto the same kept outcome', async () => {
    const key = randomUUID();
    const headers = { 'x-async': 'true', 'idempotency-key': key };
    const first = await post(url(), { action_name: 'echo', input: { msg: 'once' } }, headers);
    const firstResult = await result(url(), (first.json as { id: string }).id);
    expect(firstResult).toMatchObject({ status: 200, json: { input: { msg: 'once' } } });
    // The same key, synchronously: the kept outcome; with another input: refused, and kept as the async outcome too.
    const again = await post(url(), { action_name: 'echo', input: { msg: 'once' } }, { 'idempotency-key': key });
    expect(again).toMatchObject({ status: 200, json: firstResult.json as object });
    const other = await post(url(), { action_name: 'echo', input: { msg: 'twice' } }, headers);
    expect(await result(url(), (other.json as { id: string }).id)).toMatchObject({
      status: 409,
      json: { error: { code: 'idempotency_key_reused' } },
    });
  });

  it('answers GET /scripts/config in both formats', async () => {
    const nango = (await (await fetch(`${url()}/scripts/config`)).json()) as Array<Record<string, unknown>>;
    const demo = nango.find((entry) => entry['providerConfigKey'] === 'demo');
    expect(demo).toMatchObject({ provider: 'demo', 'on-events': [] });
    expect(demo?.['actions']).toContainEqual(
      expect.objectContaining({
        name: 'echo',
        description: 'Echoes its input back',
        input: expect.objectContaining({ required: ['msg'] }),
      }),
    );
    const openai = (await (await fetch(`${url()}/scripts/config?format=openai`)).json()) as { data: unknown[] };
    expect(openai.data).toContainEqual({
      name: 'echo',
      description: 'Echoes its input back',
      parameters: {
        type: 'object',
        properties: { msg: { type: 'string', maxLength: 20, description: 'What to echo' }, count: { type: 'integer' } },
        required: ['msg'],
      },
    });
    expect(openai.data).toContainEqual({
      name: 'sleeps',
      description: '',
      parameters: { type: 'object', properties: {}, required: [] },
    });
  });

  it('works with the official @nangohq/node 0.71.4', async () => {
    const sdk = new OfficialNango({ host: url(), secretKey: 'unused' });
    await expect(sdk.triggerAction('demo', 'u-1', 'echo', { msg: 'sdk' })).resolves.toMatchObject({
      input: { msg: 'sdk' },
      userId: 'u-1',
    });
    const { id, statusUrl } = await sdk.triggerActionAsync('demo', 'u-1', 'echo', { msg: 'later' });
    expect(statusUrl).toBe(`/action/${id}`);
    await result(url(), id);
    await expect(sdk.getAsyncActionResult({ id })).resolves.toMatchObject({ input: { msg: 'later' } });
    await expect(sdk.getAsyncActionResult({ statusUrl })).resolves.toMatchObject({ input: { msg: 'later' } });
    await expect(sdk.triggerAction('demo', 'u-1', 'echo', { msg: 9 })).rejects.toMatchObject({ status: 400 });
    const nango = (await sdk.getScriptsConfig('nango')) as Array<{ providerConfigKey: string }>;
    expect(nango.map((entry) => entry.providerConfigKey).sort()).toEqual(['api', 'broken', 'demo', 'misbehaving']);
    const openai = (await sdk.getScriptsConfig('openai')) as { data: Array<{ name: string }> };
    expect(openai.data.map((fn) => fn.name)).toContain('echo');
  });
});
