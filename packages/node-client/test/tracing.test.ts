import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { DEADLINE_HEADER } from '@nangohq/protocol';
import type { Nango } from '../src/Nango';
import type { startCallTrace } from '../src/callTrace';
import { FakeBroker } from './fakeAmqp';
import { connected, tick } from './helpers';

/** The app's own OpenTelemetry SDK, as an app that traces registers it. */
function registerAppSdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  const span = (name: string) => {
    const found = exporter.getFinishedSpans().find((candidate) => candidate.name === name);
    if (!found)
      throw new Error(
        `no span ${name} among ${exporter
          .getFinishedSpans()
          .map((s) => s.name)
          .join(', ')}`,
      );
    return found;
  };
  return {
    span,
    count: () => exporter.getFinishedSpans().length,
    async stop() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

describe('Nango client: trace context', () => {
  it("publishes within the app's trace: a client span per call, a producer span per publish, its context in the headers", async () => {
    const app = registerAppSdk();
    try {
      const { nango, broker } = await connected();
      const tracer = trace.getTracer('the-app');
      const call = tracer.startActiveSpan('handle order', (span) => {
        const triggered = nango.triggerAction('slack', 'notify', 1);
        span.end();
        return triggered;
      });
      await tick();
      const headers = broker.request(0).options.headers as Record<string, unknown>;
      broker.reply({ success: true, returnValue: 'done' }, 0);
      await expect(call).resolves.toEqual({ success: true, returnValue: 'done' });
      await nango.close();

      const root = app.span('handle order');
      const client = app.span('triggerAction');
      const publish = app.span('publish q');
      const traceId = root.spanContext().traceId;
      expect(client.kind).toBe(SpanKind.CLIENT);
      expect(client.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(publish.kind).toBe(SpanKind.PRODUCER);
      expect(publish.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
      expect([client.spanContext().traceId, publish.spanContext().traceId]).toEqual([traceId, traceId]);
      expect(publish.attributes).toEqual({
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': 'q',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'nango.message.type': 'triggerAction',
      });
      // The worker continues the trace from the publish span.
      expect(headers['traceparent']).toBe(`00-${traceId}-${publish.spanContext().spanId}-01`);
      expect(headers[DEADLINE_HEADER]).toEqual(expect.any(Number));
      expect(client.status.code).toBe(SpanStatusCode.UNSET);
    } finally {
      await app.stop();
    }
  });

  it("fails the call's span with the reply's error code", async () => {
    const app = registerAppSdk();
    try {
      const { nango, broker } = await connected();
      const call = nango.getToken('slack', 1);
      await tick();
      broker.reply({ success: false, errorCode: 'connection_not_found', errorMsg: 'No Connection for user 1' }, 0);
      await expect(call).rejects.toMatchObject({ code: 'connection_not_found' });
      await nango.close();
      const span = app.span('getToken');
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'No Connection for user 1' });
      expect(span.attributes['error.type']).toBe('connection_not_found');
      expect(span.parentSpanContext).toBeUndefined(); // no span was active in the app: the call starts a trace
    } finally {
      await app.stop();
    }
  });

  it('adds nothing to the headers when the app registered no SDK', async () => {
    const { nango, broker } = await connected();
    const call = nango.triggerAction('slack', 'notify', 1);
    await tick();
    expect(Object.keys(broker.request(0).options.headers ?? {})).toEqual([DEADLINE_HEADER]);
    broker.reply({ success: true, returnValue: 'done' }, 0);
    await call;
    await nango.close();
  });

  it('traces nothing, and calls go through, when the app does not have @opentelemetry/api', async () => {
    let isolated: { startCallTrace: typeof startCallTrace; Nango: typeof Nango } | undefined;
    jest.isolateModules(() => {
      jest.doMock('@opentelemetry/api', () => {
        throw new Error("Cannot find module '@opentelemetry/api'");
      });
      isolated = {
        startCallTrace: (require('../src/callTrace') as typeof import('../src/callTrace')).startCallTrace,
        Nango: (require('../src/Nango') as typeof import('../src/Nango')).Nango,
      };
    });
    jest.dontMock('@opentelemetry/api');
    expect(isolated?.startCallTrace('triggerAction', 'q')).toBeUndefined();
    const broker = new FakeBroker();
    const nango = new isolated!.Nango({ queue: 'q' }, broker.connect);
    await nango.connect();
    const call = nango.triggerAction('slack', 'notify', 1);
    await tick();
    expect(Object.keys(broker.request(0).options.headers ?? {})).toEqual([DEADLINE_HEADER]);
    broker.reply({ success: true, returnValue: 'done' }, 0);
    await expect(call).resolves.toEqual({ success: true, returnValue: 'done' });
    await nango.close();
  });
});
