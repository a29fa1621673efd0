/**
 * The operation carries its trace id: a worker embedded in a traced process (the app's SDK registered, so the worker
 * starts none and traces into it) records, for an action run, the trace id of the call that asked for it (untraced,
 * none: tracing/spans.test.ts). The real broker, a SQLite file and a local provider API.
 */
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { startHarness, type Harness } from '../helpers/harness';
import { startInMemoryTracing, type InMemoryTracing } from '../helpers/inMemoryTracing';
import { RecordingLog } from '../helpers/recordingLog';

jest.setTimeout(30_000);

describe('operations carry their trace id', () => {
  let provider: ApiServer;
  let tracing: InMemoryTracing;
  let log: RecordingLog;
  let h: Harness;

  beforeAll(async () => {
    provider = await startApiServer(() => ({ body: { ok: true } }));
    tracing = startInMemoryTracing();
    log = new RecordingLog();
    const yaml = `integrations:
  api:
    auth_mode: API_KEY
    base_url: ${provider.url}
    query_params:
      key: \${api_key}
    actions: { call: }
`;
    h = await startHarness({ yaml, operationLog: log });
    await h.nango.registerConnection('api', 'u1', { api_key: `key-${randomUUID()}` });
  });

  afterAll(async () => {
    await h?.stop();
    await tracing?.stop();
    await provider?.close();
  });

  it("records an action run with the trace id of the app's span; a call outside it, with a trace of its own", async () => {
    const traced = await trace.getTracer('the-app').startActiveSpan('checkout', async (span) => {
      const reply = await h.nango.triggerAction('api', 'call', 'u1', { endpoint: '/items' });
      span.end();
      return { reply, traceId: span.spanContext().traceId };
    });
    // Outside the app's span: the client's span starts a trace of its own, which the operation carries.
    const untraced = await h.nango.triggerAction('api', 'call', 'u1', { endpoint: '/items' });

    const actions = log.ended.filter((operation) => operation.kind === 'action');
    const byId = (id: string | undefined) => actions.find((operation) => operation.id === id);
    const first = byId((traced.reply as { operationId?: string }).operationId);
    const second = byId((untraced as { operationId?: string }).operationId);
    expect(first).toMatchObject({ status: 'success', traceId: traced.traceId });
    expect(second?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(second?.traceId).not.toBe(traced.traceId);
    // And the trace holds the worker's spans: the operation's trace id opens them.
    const inTrace = tracing.spans().filter((span) => span.spanContext().traceId === traced.traceId);
    expect(inTrace.map((span) => span.name)).toEqual(expect.arrayContaining(['action api.call', 'GET']));
  });
});
