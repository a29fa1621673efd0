import { join } from 'node:path';
import type { NangoError } from '@nangohq/node-client';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { startHarness, waitFor, type Harness } from '../helpers/harness';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';

/** The fixtures of the operations tests: `keyed` (API key) and `oauthed` (OAuth 2) integrations. */
const OPERATIONS_FIXTURES = join(__dirname, '..', 'fixtures', 'operations');

function yaml(apiUrl: string): string {
  return `
integrations:
  keyed:
    auth_mode: API_KEY
    base_url: ${apiUrl}
    headers:
      X-Api-Key: \${api_key}
    actions:
      behaves:
        timeout_ms: 1500
      calls:
`;
}

const FAST_ASYNC = { leaseMs: 3_000, sweepMs: 200, queuedGraceMs: 500, retryDelayMs: 50 };

describe('action runs in the operations log (RPC, HTTP, async; real worker and RabbitMQ)', () => {
  let h: Harness;
  let api: ApiServer;
  let log: RecordingOperationLog;
  /** How the API answers /limited: 429 with Retry-After 1 the first time, 200 after. */
  let limitedCalls = 0;

  beforeAll(async () => {
    api = await startApiServer((request) => {
      if (request.url.startsWith('/limited') && limitedCalls++ === 0) return { status: 429, body: { error: 'slow down' } };
      return { body: { ok: true } };
    });
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: yaml(api.url),
      integrationsDir: OPERATIONS_FIXTURES,
      operationLog: log,
      asyncActionTimings: FAST_ASYNC,
    });
    await h.nango.registerConnection('keyed', 'u-1', { api_key: 'key-of-u1' });
  });
  afterAll(async () => {
    await h?.stop();
    await api?.close();
  });

  it('records an RPC run with the action log lines as messages, and gives its id back in the reply', async () => {
    const lines = ['fetching the channel', 'posting the message'];
    const reply = await h.nango.triggerAction('keyed', 'behaves', 'u-1', { lines });
    expect(reply).toMatchObject({ success: true, returnValue: 'done', operationId: expect.any(String) });
    const operation = log.get(reply.operationId as string);
    expect(operation).toMatchObject({
      kind: 'action',
      name: 'behaves',
      integration: 'keyed',
      connectionId: 'u-1',
      status: 'success',
      error: null,
      parentId: null,
    });
    expect(operation.durationMs).toBeGreaterThanOrEqual(0);
    expect(operation.messages.map(({ level, text }) => [level, text])).toEqual([
      ['info', 'fetching the channel'],
      ['warn', 'posting the message'],
    ]);
    expect(operation.messages[0]?.fields).toEqual({ index: 0 });

    // Every log line of the run names the operation: the worker's own and the action's.
    await waitFor(() => h.logs.some((line) => line.msg === 'action run' && line['operationId'] === operation.id));
    const actionLines = h.logs.filter((line) => line['source'] === 'action' && line['operationId'] === operation.id);
    expect(actionLines.map((line) => line.msg)).toEqual(lines);
  });

  it('records a failed run with its error, its last log lines and the stack; the error reply carries its id', async () => {
    const lines = ['loading the invoice', 'the API answered 404'];
    const error = (await h.nango
      .triggerAction('keyed', 'behaves', 'u-1', { lines, fail: 'invoice inv_42 not found' })
      .catch((e: unknown) => e)) as NangoError;
    expect(error).toMatchObject({ code: 'action_failed', operationId: expect.any(String) });
    const operation = log.get(error.operationId as string);
    expect(operation).toMatchObject({
      status: 'failed',
      error: { code: 'action_failed', message: expect.stringContaining('invoice inv_42 not found') },
    });
    const texts = operation.messages.map((message) => message.text);
    expect(texts.slice(0, 2)).toEqual(lines);
    const stack = operation.messages.at(-1);
    expect(stack).toMatchObject({ level: 'error', fields: { code: 'action_failed' } });
    expect(stack?.text).toMatch(/behaves\.action\.ts:\d+/);
  });

  it('records a refused call (unknown action, missing Connection) as a failed run', async () => {
    const unknown = (await h.nango.triggerAction('keyed', 'nope', 'u-1', {}).catch((e: unknown) => e)) as NangoError;
    expect(log.get(unknown.operationId as string)).toMatchObject({ status: 'failed', error: { code: 'unknown_action' } });
    const missing = (await h.nango.triggerAction('keyed', 'behaves', 'nobody', {}).catch((e: unknown) => e)) as NangoError;
    expect(log.get(missing.operationId as string)).toMatchObject({
      connectionId: 'nobody',
      status: 'failed',
      error: { code: 'connection_not_found' },
    });
  });

  it('ends a run past its time limit timed_out', async () => {
    const error = (await h.nango
      .triggerAction('keyed', 'behaves', 'u-1', { sleepMs: 5_000 })
      .catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('action_timeout');
    expect(log.get(error.operationId as string)).toMatchObject({ status: 'timed_out', error: { code: 'action_timeout' } });
  });

  it("says what the worker did for the run: the provider's 429 and the wait for the limit it taught", async () => {
    limitedCalls = 0;
    const reply = await h.nango.triggerAction('keyed', 'calls', 'u-1', { endpoint: '/limited', times: 2 });
    expect(reply.returnValue).toEqual([429, 200]);
    const texts = log.get(reply.operationId as string).messages.map((message) => `${message.level} ${message.text}`);
    expect(texts).toEqual([
      expect.stringMatching(
        /^warn GET http:\/\/127\.0\.0\.1:\d+\/limited: 429 from the provider \(.*\); calls wait [\d.]+ s for it$/,
      ),
      expect.stringMatching(/^info GET http:\/\/127\.0\.0\.1:\d+\/limited: waited [\d.]+ s for the provider's rate limit/),
    ]);
  });

  it('marks a keyed call answered from an earlier run as replayed', async () => {
    const first = await h.nango.triggerAction('keyed', 'behaves', 'u-1', { lines: ['once'] }, { idempotencyKey: 'k-1' });
    const again = await h.nango.triggerAction('keyed', 'behaves', 'u-1', { lines: ['once'] }, { idempotencyKey: 'k-1' });
    expect(again.operationId).not.toBe(first.operationId);
    expect(log.get(first.operationId as string).fields['replayed']).toBeUndefined();
    expect(log.get(again.operationId as string)).toMatchObject({ status: 'success', fields: { replayed: true }, messages: [] });
  });

  it('gives the id of an HTTP run back in X-Nango-Operation-Id, on success and on failure', async () => {
    const post = (input: unknown) =>
      fetch(`${h.worker.httpUrl}/action/trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'connection-id': 'u-1', 'provider-config-key': 'keyed' },
        body: JSON.stringify({ action_name: 'behaves', input }),
      });
    const ok = await post({ lines: ['over HTTP'] });
    expect(ok.status).toBe(200);
    const okId = ok.headers.get('x-nango-operation-id') as string;
    expect(log.get(okId)).toMatchObject({ status: 'success', messages: [expect.objectContaining({ text: 'over HTTP' })] });

    const failed = await post({ fail: 'refused over HTTP' });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await failed.json()).toMatchObject({ error: { code: 'action_failed' } });
    const failedId = failed.headers.get('x-nango-operation-id') as string;
    expect(log.get(failedId)).toMatchObject({ status: 'failed', error: { code: 'action_failed' } });
  });

  it('records each attempt of an async action, the retries pointing at the first with "retry n of m"', async () => {
    const response = await fetch(`${h.worker.httpUrl}/action/trigger`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'connection-id': 'u-1',
        'provider-config-key': 'keyed',
        'x-async': 'true',
        'x-max-retries': '2',
      },
      body: JSON.stringify({ action_name: 'behaves', input: { sleepMs: 5_000 } }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const attempts = () => log.ofKind('action', (op) => op.fields['asyncActionId'] === id && op.status !== 'running');
    await waitFor(() => attempts().length === 3, 20_000, 'three attempts');
    const [first, second, third] = attempts();
    expect(first).toMatchObject({ status: 'timed_out', parentId: null, fields: { async: true, asyncActionId: id } });
    for (const [retry, operation] of [second, third].entries()) {
      expect(operation).toMatchObject({ status: 'timed_out', parentId: first?.id, fields: { retry: retry + 1 } });
      expect(operation?.messages[0]).toMatchObject({ level: 'info', text: `retry ${retry + 1} of 2 after action_timeout` });
    }
  }, 30_000);
});
