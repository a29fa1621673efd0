import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { WorkerError } from '../../src/errors';
import { bindToActiveContext, currentTraceId } from '../../src/tracing/currentTraceId';
import { inHttpClientSpan } from '../../src/tracing/inHttpClientSpan';
import { inProcessSpan } from '../../src/tracing/inProcessSpan';
import { inSpan } from '../../src/tracing/inSpan';
import { traceHttpRequests } from '../../src/tracing/traceHttpRequests';
import { withStoreSpans } from '../../src/tracing/withStoreSpans';
import { withTraceIds } from '../../src/tracing/withTraceIds';
import { NO_OPERATIONS, type OperationLog } from '../../src/operationLog/OperationLog';
import type { OperationStart } from '../../src/operationLog/Operation';
import { parentOf, startInMemoryTracing, type InMemoryTracing } from '../helpers/inMemoryTracing';

let tracing: InMemoryTracing;

beforeEach(() => {
  tracing = startInMemoryTracing();
});

afterEach(async () => {
  await tracing.stop();
});

/** A traceparent header of a sampled span of a trace the test makes up. */
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe('inSpan', () => {
  it('makes the span active for what the work awaits, and ends it', async () => {
    let seen: string | undefined;
    const result = await inSpan('outer', {}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen = currentTraceId();
      return inSpan('inner', {}, async () => 42);
    });
    expect(result).toBe(42);
    const outer = tracing.span('outer');
    expect(seen).toBe(outer.spanContext().traceId);
    expect(parentOf(tracing.span('inner'))).toBe(outer.spanContext().spanId);
    expect(currentTraceId()).toBeUndefined();
  });

  it("fails the span with a WorkerError's code and message, but only the class name of other errors", async () => {
    await expect(inSpan('ours', {}, () => Promise.reject(new WorkerError('action_failed', 'the action threw')))).rejects.toThrow(
      'the action threw',
    );
    const secretError = new TypeError('fetch failed for https://x.test/?api_key=hunter2');
    await expect(inSpan('theirs', {}, () => Promise.reject(secretError))).rejects.toBe(secretError);
    const ours = tracing.span('ours');
    expect(ours.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the action threw' });
    expect(ours.attributes['error.type']).toBe('action_failed');
    const theirs = tracing.span('theirs');
    expect(theirs.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TypeError' });
    expect(JSON.stringify([theirs.attributes, theirs.status, theirs.events])).not.toContain('hunter2');
  });
});

describe('currentTraceId and bindToActiveContext', () => {
  it('is undefined outside a span and for a trace sampled out', async () => {
    expect(currentTraceId()).toBeUndefined();
    const unsampled = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 0 });
    expect(context.with(trace.setSpan(context.active(), unsampled), currentTraceId)).toBeUndefined();
  });

  it('keeps a callback called later from elsewhere in the trace it was made in', async () => {
    let callback: (() => string | undefined) | undefined;
    await inSpan('run', {}, async () => {
      callback = bindToActiveContext(() => currentTraceId());
    });
    expect(callback?.()).toBe(tracing.span('run').spanContext().traceId);
  });
});

describe('inHttpClientSpan', () => {
  it('records a client span by the conventions, without the query or user info of the URL', async () => {
    const url = new URL('https://user:pw@api.example.com/v1/items?api_key=hunter2');
    const response = await inHttpClientSpan('GET', url, async () => ({ status: 200 }), { 'nango.integration': 'acme' });
    expect(response).toEqual({ status: 200 });
    const span = tracing.span('GET');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': 'api.example.com',
      'server.port': 443,
      'url.full': 'https://api.example.com/v1/items',
      'http.response.status_code': 200,
      'nango.integration': 'acme',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('fails on a status of 400 or more and on a network error; a URL that does not parse sends as it would', async () => {
    await inHttpClientSpan('POST', 'http://127.0.0.1:8080/hook', async () => ({ status: 503 }));
    const failed = tracing.span('POST');
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes).toMatchObject({ 'error.type': '503', 'server.port': 8080 });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    await expect(inHttpClientSpan('PUT', 'not a url', () => Promise.reject(refused))).rejects.toBe(refused);
    expect(tracing.span('PUT').attributes).toEqual({ 'http.request.method': 'PUT', 'error.type': 'TypeError' });
  });
});

describe('withStoreSpans', () => {
  class FakeStore {
    private readonly rows = new Map([['u1', 'row']]);
    async get(userId: string): Promise<string | undefined> {
      return this.rows.get(userId);
    }
    async delete(userId: string): Promise<boolean> {
      return this.rows.delete(userId);
    }
    readonly kind = 'fake';
  }

  it('spans the methods named, and leaves the others to the store itself', async () => {
    const traced = withStoreSpans(new FakeStore(), 'postgresql', 'connections', ['get']);
    expect(await traced.get('u1')).toBe('row');
    expect(await traced.delete('u1')).toBe(true);
    expect(await traced.get('u1')).toBeUndefined();
    expect(traced.kind).toBe('fake');
    expect(tracing.spans().map((span) => span.name)).toEqual(['get connections', 'get connections']);
    expect(tracing.spans()[0]?.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.operation.name': 'get',
      'db.collection.name': 'connections',
    });
    expect(tracing.spans()[0]?.kind).toBe(SpanKind.CLIENT);
  });
});

describe('inProcessSpan', () => {
  const message = (headers: Record<string, unknown> | undefined) => ({
    content: Buffer.from('{"type":"triggerAction"}'),
    fields: { routingKey: 'nango.requests', deliveryTag: 7 },
    properties: { headers, correlationId: 'c-1', type: 'triggerAction' },
  });

  it("continues the publisher's trace from the traceparent header, as a string or as bytes", async () => {
    await inProcessSpan(message({ traceparent: TRACEPARENT }), async () => undefined);
    await inProcessSpan(message({ traceparent: Buffer.from(TRACEPARENT) }), async () => undefined);
    for (const span of tracing.spans()) {
      expect(span.name).toBe('process nango.requests');
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(parentOf(span)).toBe(PARENT_ID);
      expect(span.attributes).toEqual({
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': 'nango.requests',
        'messaging.message.body.size': 24,
        'messaging.rabbitmq.message.delivery_tag': 7,
        'messaging.message.conversation_id': 'c-1',
        'nango.message.type': 'triggerAction',
      });
    }
    expect(tracing.spans()).toHaveLength(2);
  });

  it('starts a trace of its own for a message without one, whatever span is active where it arrives', async () => {
    await inSpan('unrelated', {}, () => inProcessSpan(message(undefined), async () => undefined));
    const span = tracing.span('process nango.requests');
    expect(parentOf(span)).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(tracing.span('unrelated').spanContext().traceId);
  });
});

describe('traceHttpRequests', () => {
  it("makes a server span per request, child of the caller's traceparent, active in the handler after the body is read", async () => {
    const app = Fastify();
    traceHttpRequests(app);
    app.post('/things/:id', async (request) => {
      await inSpan('handler work', {}, async () => undefined);
      return { got: request.body, traceId: currentTraceId() };
    });
    app.get('/broken', async () => {
      throw new Error('boom');
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const headers = { traceparent: TRACEPARENT, 'content-type': 'application/json' };
      const reply = await fetch(`${base}/things/1?code=oauth-code`, { method: 'POST', headers, body: '{"a":1}' });
      expect(await reply.json()).toEqual({ got: { a: 1 }, traceId: TRACE_ID });
      expect((await fetch(`${base}/broken`)).status).toBe(500);
      expect((await fetch(`${base}/nowhere`)).status).toBe(404);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the spans end when the responses close
    } finally {
      await app.close();
    }
    const server = tracing.span('POST /things/:id');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(parentOf(server)).toBe(PARENT_ID);
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/things/:id',
      'url.path': '/things/1',
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
    expect(JSON.stringify(server.attributes)).not.toContain('oauth-code');
    expect(parentOf(tracing.span('handler work'))).toBe(server.spanContext().spanId);
    expect(tracing.span('GET /broken').status.code).toBe(SpanStatusCode.ERROR);
    expect(tracing.span('GET').attributes['http.response.status_code']).toBe(404);
    expect(tracing.span('GET').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('starts a trace of its own for a request without a traceparent', async () => {
    const app = Fastify();
    traceHttpRequests(app);
    app.get('/', async () => ({ traceId: currentTraceId() }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const reply = await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/`);
      const { traceId } = (await reply.json()) as { traceId: string };
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(tracing.span('GET /').spanContext().traceId).toBe(traceId);
      expect(parentOf(tracing.span('GET /'))).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('withTraceIds', () => {
  function recordingLog() {
    const started: OperationStart[] = [];
    const log: OperationLog = {
      ...NO_OPERATIONS,
      start: (start) => (started.push(start), NO_OPERATIONS.start(start)),
      droppedCount: 3,
    };
    return { log, started };
  }

  it("puts the active span's trace id on operations started without one, and keeps one given", async () => {
    const { log, started } = recordingLog();
    const traced = withTraceIds(log);
    traced.start({ kind: 'action', name: 'outside' });
    await inSpan('process', {}, async () => {
      traced.start({ kind: 'action', name: 'inside' });
      traced.start({ kind: 'action', name: 'given', traceId: TRACE_ID });
    });
    const traceId = tracing.span('process').spanContext().traceId;
    expect(started).toEqual([
      { kind: 'action', name: 'outside' },
      { kind: 'action', name: 'inside', traceId },
      { kind: 'action', name: 'given', traceId: TRACE_ID },
    ]);
    expect(traced.droppedCount).toBe(3);
  });
});
