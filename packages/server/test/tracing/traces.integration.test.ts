/**
 * One trace from the app to the provider: the built worker (`npm run build` first) runs as a process of its own,
 * exporting to a local OTLP/HTTP receiver; the app (this test process) has its own SDK registered and calls
 * through our node client, or through the HTTP API with a traceparent; the action calls a local API playing the
 * provider. The spans of both processes must form one tree: app → client → publish → process → action → provider
 * call, each the child of the one before. Then: the default protobuf protocol, and no export when disabled.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { Nango } from '@nangohq/node-client';
import { generateKey } from '../../src/encryption/Keyring';
import { RIG_STORES, WorkerProcess, type RigStore } from '../faults/faultHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { deleteWorkerQueues, FIXTURES_DIR, RABBITMQ_URL, waitFor } from '../helpers/harness';
import { startInMemoryTracing, type InMemoryTracing } from '../helpers/inMemoryTracing';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlpReceiver';

jest.setTimeout(60_000);

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const API_KEY = `api-key-${randomUUID()}`;
/** OTLP's span kinds. */
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** One worker process with its queue, folder and store, exporting traces as `otelEnv` says. */
class TracedWorker {
  readonly queue = `nango.test.traces.${randomUUID()}`;
  private readonly dir = mkdtempSync(join(tmpdir(), 'nango-traces-'));
  private process: WorkerProcess | undefined;
  private database: TestDatabase | undefined;
  /** The HTTP API's URL, read off the ready line. */
  httpUrl = '';

  async start(provider: ApiServer, store: RigStore, otelEnv: Record<string, string>): Promise<void> {
    writeFileSync(
      join(this.dir, 'integrations.yaml'),
      `integrations:
  api:
    auth_mode: API_KEY
    base_url: ${provider.url}
    query_params:
      key: \${api_key}
    actions: { call: }
`,
    );
    const storeEnv: Record<string, string> = { NANGO_DB_PATH: join(this.dir, 'nango.sqlite') };
    if (store === 'postgres') {
      this.database = await createTestDatabase();
      Object.assign(storeEnv, { NANGO_DATABASE_URL: this.database.url, NANGO_ENCRYPTION_KEY: generateKey() });
    }
    const child = spawn(process.execPath, [CLI], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...withoutOtel(process.env),
        NANGO_RABBITMQ_URL: RABBITMQ_URL,
        NANGO_QUEUE: this.queue,
        NANGO_INTEGRATIONS_YAML: join(this.dir, 'integrations.yaml'),
        NANGO_INTEGRATIONS_DIR: FIXTURES_DIR,
        NANGO_WATCH: 'false',
        NANGO_LOG_LEVEL: 'info',
        NANGO_PORT: '0',
        OTEL_BSP_SCHEDULE_DELAY: '50', // export within the test's patience, not every 5 s
        ...storeEnv,
        ...otelEnv,
      },
    });
    this.process = new WorkerProcess(child);
    await this.process.ready();
    const ready = this.process
      .output()
      .split('\n')
      .find((line) => line.includes('nango worker ready'));
    this.httpUrl = (JSON.parse(ready ?? '{}') as { http?: string }).http ?? '';
  }

  output(): string {
    return this.process?.output() ?? '';
  }

  /** Stops the process (it flushes its spans), deletes its queues, database and folder. Once. */
  stop(): Promise<void> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  private stopped: Promise<void> | undefined;

  private async stopOnce(): Promise<void> {
    await this.process?.stop('SIGTERM');
    await deleteWorkerQueues(this.queue);
    await this.database?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The environment without any OTEL_* the machine may have set: each worker here gets exactly the ones given. */
function withoutOtel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OTEL_')));
}

/** The spans of one trace, from the app's exporter and the worker's receiver alike, by name. */
function traceOf(traceId: string, app: InMemoryTracing, receiver: OtlpReceiver): Map<string, ReceivedSpan[]> {
  const appSpans: ReceivedSpan[] = app.spans().map((span) => ({
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    kind: span.kind + 1, // the API's enum starts at 0, OTLP's at 1
    service: 'app',
    attributes: span.attributes as ReceivedSpan['attributes'],
    statusCode: span.status.code,
  }));
  const byName = new Map<string, ReceivedSpan[]>();
  for (const span of [...appSpans, ...receiver.spans].filter((candidate) => candidate.traceId === traceId)) {
    byName.set(span.name, [...(byName.get(span.name) ?? []), span]);
  }
  return byName;
}

/** The one span of `name` in a trace; fails with the names there are when there is not exactly one. */
function one(spans: Map<string, ReceivedSpan[]>, name: string): ReceivedSpan {
  const found = spans.get(name) ?? [];
  if (found.length !== 1) throw new Error(`expected one span '${name}', got ${found.length}; trace has ${[...spans.keys()]}`);
  return found[0] as ReceivedSpan;
}

/** Waits until the trace holds a span of each name (the worker exports in batches). */
async function waitForSpans(traceId: string, names: string[], app: InMemoryTracing, receiver: OtlpReceiver) {
  await waitFor(() => names.every((name) => traceOf(traceId, app, receiver).has(name)), 15_000, `spans ${names}`);
  return traceOf(traceId, app, receiver);
}

/** Checks the chain from the worker's `process` span down to the provider call, and what they must not show. */
function expectWorkerSpans(spans: Map<string, ReceivedSpan[]>, queue: string, store: RigStore, provider: ApiServer) {
  const process = one(spans, `process ${queue}`);
  const lookup = one(spans, 'get connections');
  const action = one(spans, 'action api.call');
  const providerCall = one(spans, 'GET');
  expect(process).toMatchObject({ kind: KIND.consumer, service: 'nango-server' });
  expect(process.attributes).toMatchObject({
    'messaging.system': 'rabbitmq',
    'messaging.destination.name': queue,
    'nango.message.type': 'triggerAction',
  });
  expect(lookup).toMatchObject({ parentSpanId: process.spanId, kind: KIND.client });
  expect(lookup.attributes['db.system.name']).toBe(store === 'postgres' ? 'postgresql' : 'sqlite');
  expect(action).toMatchObject({ parentSpanId: process.spanId, kind: KIND.internal });
  expect(action.attributes).toMatchObject({ 'nango.integration': 'api', 'nango.action': 'call', 'nango.connection_id': 'u1' });
  expect(providerCall).toMatchObject({ parentSpanId: action.spanId, kind: KIND.client, statusCode: 0 });
  const port = Number(new URL(provider.url).port);
  expect(providerCall.attributes).toMatchObject({
    'http.request.method': 'GET',
    'server.address': '127.0.0.1',
    'server.port': port,
    'url.full': `${provider.url}/items`,
    'http.response.status_code': 200,
  });
  // The provider got the key in its query; no span shows it.
  expect(provider.requests.at(-1)?.url).toContain(API_KEY);
  expect(JSON.stringify([...spans.values()])).not.toContain(API_KEY);
}

describe.each(RIG_STORES)('traces across the app, the broker, the worker and the provider, on %s', (store) => {
  let receiver: OtlpReceiver;
  let provider: ApiServer;
  let worker: TracedWorker;
  let app: InMemoryTracing;
  let nango: Nango;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    provider = await startApiServer(() => ({ body: { items: [1, 2] } }));
    worker = new TracedWorker();
    await worker.start(provider, store, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    app = startInMemoryTracing();
    nango = new Nango({ url: RABBITMQ_URL, queue: worker.queue, requestTimeoutMs: 20_000 });
    await nango.connect();
    await nango.registerConnection('api', 'u1', { api_key: API_KEY });
  });

  afterAll(async () => {
    await nango?.close();
    await app?.stop();
    await worker?.stop();
    await provider?.close();
    await receiver?.close();
  });

  it('one triggerAction from our node client is one trace: app, client, publish, process, action, provider call', async () => {
    // Twice: the second run reuses the first one's sandbox, whose messages must not carry the first run's context.
    for (const order of ['first order', 'second order']) {
      const tracer = trace.getTracer('the-app');
      const { traceId, reply } = await tracer.startActiveSpan(order, async (span) => {
        const result = await nango.triggerAction('api', 'call', 'u1', { endpoint: '/items' });
        span.end();
        return { traceId: span.spanContext().traceId, reply: result };
      });
      expect(reply.returnValue).toMatchObject({ status: 200 });

      const spans = await waitForSpans(
        traceId,
        [order, 'triggerAction', `publish ${worker.queue}`, `process ${worker.queue}`, 'action api.call', 'GET'],
        app,
        receiver,
      );
      const root = one(spans, order);
      const client = one(spans, 'triggerAction');
      const publish = one(spans, `publish ${worker.queue}`);
      expect(root.parentSpanId).toBe('');
      expect(client).toMatchObject({ parentSpanId: root.spanId, kind: KIND.client, service: 'app' });
      expect(publish).toMatchObject({ parentSpanId: client.spanId, kind: KIND.producer, service: 'app' });
      expect(one(spans, `process ${worker.queue}`).parentSpanId).toBe(publish.spanId);
      expectWorkerSpans(spans, worker.queue, store, provider);
    }
  });

  it('an HTTP POST /action/trigger with a traceparent is one trace too, through the API process and the broker', async () => {
    const tracer = trace.getTracer('the-app');
    const { traceId, status } = await tracer.startActiveSpan('from the browser', async (span) => {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'connection-id': 'u1',
        'provider-config-key': 'api',
      };
      propagation.inject(context.active(), headers);
      const body = JSON.stringify({ action_name: 'call', input: { endpoint: '/items' } });
      const reply = await fetch(`${worker.httpUrl}/action/trigger`, { method: 'POST', headers, body });
      await reply.arrayBuffer();
      span.end();
      return { traceId: span.spanContext().traceId, status: reply.status };
    });
    expect(status).toBe(200);

    const names = ['from the browser', 'POST /action/trigger', 'triggerAction', 'action api.call', 'GET'];
    const spans = await waitForSpans(traceId, [...names, `process ${worker.queue}`], app, receiver);
    const root = one(spans, 'from the browser');
    const server = one(spans, 'POST /action/trigger');
    const client = one(spans, 'triggerAction');
    const publish = one(spans, `publish ${worker.queue}`);
    expect(server).toMatchObject({ parentSpanId: root.spanId, kind: KIND.server, service: 'nango-server' });
    expect(server.attributes).toMatchObject({ 'http.route': '/action/trigger', 'http.response.status_code': 200 });
    expect(client).toMatchObject({ parentSpanId: server.spanId, kind: KIND.client, service: 'nango-server' });
    expect(publish).toMatchObject({ parentSpanId: client.spanId, kind: KIND.producer });
    expect(one(spans, `process ${worker.queue}`).parentSpanId).toBe(publish.spanId);
    expectWorkerSpans(spans, worker.queue, store, provider);
  });

  it('an async POST /action/trigger (X-Async) continues the trace through the async queue to the run on a worker', async () => {
    const tracer = trace.getTracer('the-app');
    const { traceId, status } = await tracer.startActiveSpan('queue it', async (span) => {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'connection-id': 'u1',
        'provider-config-key': 'api',
        'x-async': 'true',
      };
      propagation.inject(context.active(), headers);
      const body = JSON.stringify({ action_name: 'call', input: { endpoint: '/items' } });
      const reply = await fetch(`${worker.httpUrl}/action/trigger`, { method: 'POST', headers, body });
      await reply.arrayBuffer();
      span.end();
      return { traceId: span.spanContext().traceId, status: reply.status };
    });
    expect(status).toBe(202);

    const asyncQueue = `${worker.queue}.async`;
    const names = [
      'queue it',
      'POST /action/trigger',
      `publish ${asyncQueue}`,
      `process ${asyncQueue}`,
      'action api.call',
      'GET',
    ];
    const spans = await waitForSpans(traceId, names, app, receiver);
    const server = one(spans, 'POST /action/trigger');
    const publish = one(spans, `publish ${asyncQueue}`);
    const process = one(spans, `process ${asyncQueue}`);
    expect(server.parentSpanId).toBe(one(spans, 'queue it').spanId);
    expect(publish).toMatchObject({ parentSpanId: server.spanId, kind: KIND.producer, service: 'nango-server' });
    expect(process).toMatchObject({ parentSpanId: publish.spanId, kind: KIND.consumer });
    expect(one(spans, 'action api.call').parentSpanId).toBe(process.spanId);
    expect(one(spans, 'GET').parentSpanId).toBe(one(spans, 'action api.call').spanId);
    expect(JSON.stringify([...spans.values()])).not.toContain(API_KEY);
  });
});

describe('what the worker exports, as configured', () => {
  let receiver: OtlpReceiver;
  let provider: ApiServer;
  let worker: TracedWorker | undefined;
  let nango: Nango | undefined;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
    provider = await startApiServer(() => ({ body: { ok: true } }));
  });

  afterEach(async () => {
    await nango?.close();
    await worker?.stop();
    await provider.close();
    await receiver.close();
  });

  /** Starts a worker with `otelEnv`, runs one action, then stops the worker (which flushes whatever it has). */
  async function runOneAction(otelEnv: Record<string, string>): Promise<void> {
    worker = new TracedWorker();
    await worker.start(provider, 'sqlite', otelEnv);
    nango = new Nango({ url: RABBITMQ_URL, queue: worker.queue, requestTimeoutMs: 20_000 });
    await nango.connect();
    await nango.registerConnection('api', 'u1', { api_key: API_KEY });
    await nango.triggerAction('api', 'call', 'u1', { endpoint: '/items' });
    await nango.close();
    nango = undefined;
    await worker.stop();
  }

  it('sends OTLP protobuf by default (the specification default), with the OTEL_EXPORTER_OTLP_HEADERS given', async () => {
    const exportKey = `export-key-${randomUUID()}`;
    await runOneAction({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: `x-export-key=${exportKey}` });
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(new Set(receiver.requests)).toEqual(new Set(['POST /v1/traces']));
    const sent = Buffer.concat(receiver.protobufBodies);
    for (const name of ['action api.call', `process ${worker?.queue}`, 'nango-server']) {
      expect(sent.includes(Buffer.from(name))).toBe(true);
    }
    expect(sent.includes(Buffer.from(API_KEY))).toBe(false);
    expect(receiver.headers.map((headers) => headers['x-export-key'])).toEqual(receiver.requests.map(() => exportKey));
    expect(worker?.output()).toContain('exporting traces over OTLP');
    expect(worker?.output()).not.toContain(exportKey);
  });

  it('starts no SDK and sends nothing with OTEL_SDK_DISABLED=true, even with an endpoint', async () => {
    await runOneAction({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' });
    expect(provider.requests).toHaveLength(1); // the action did run
    expect(receiver.requests).toEqual([]);
    expect(worker?.output()).not.toContain('exporting traces');
  });
});
