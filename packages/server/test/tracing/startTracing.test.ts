import { trace } from '@opentelemetry/api';
import { createLogger } from '../../src/logger';
import { resolveTracingSettings, type TracingSettings } from '../../src/tracing/TracingSettings';
import { startTracing } from '../../src/tracing/startTracing';
import { activeTracer } from '../../src/tracing/tracer';
import { startInMemoryTracing } from '../helpers/inMemoryTracing';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver';

function settingsFor(env: NodeJS.ProcessEnv): TracingSettings {
  const problems: string[] = [];
  const settings = resolveTracingSettings(env, problems);
  expect(problems).toEqual([]);
  return settings;
}

/** A tracer from the API's globals, as any code in the process gets one. */
const tracer = () => trace.getTracer('a-test');

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

describe('startTracing', () => {
  let receiver: OtlpReceiver;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('starts nothing without an endpoint: spans stay the API no-ops', async () => {
    const { logger, lines } = capture();
    expect(startTracing(settingsFor({}), logger)).toBeUndefined();
    expect(activeTracer()).toBeUndefined(); // the server's span helpers skip tracing altogether
    const span = tracer().startSpan('not recorded');
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(lines).toEqual([]);
  });

  // Exporting itself is tested against the built worker (traces.integration.test.ts): the OTLP exporter loads
  // node:http with a dynamic import(), which jest's module sandbox refuses.
  it('registers an SDK whose spans are recorded, with the settings logged (host only), and unregisters it on stop', async () => {
    const { logger, lines } = capture();
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace('http://', 'http://user:secret@'),
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'nango-test',
    };
    const tracing = startTracing(settingsFor(env), logger);
    expect(tracing).toBeDefined();
    expect(activeTracer()).toBeDefined();
    const span = tracer().startSpan('recorded');
    expect(span.isRecording()).toBe(true);
    span.end();
    await tracing?.stop();
    expect(lines[0]).toEqual(
      expect.objectContaining({
        msg: 'exporting traces over OTLP',
        host: receiver.url.slice('http://'.length),
        protocol: 'http/json',
        sampler: 'parentbased_always_on',
        serviceName: 'nango-test',
      }),
    );
    expect(JSON.stringify(lines)).not.toContain('secret');
    // Stopped means unregistered: the next span is a no-op again, and a new SDK may be started.
    expect(tracer().startSpan('after stop').isRecording()).toBe(false);
    const again = startTracing(settingsFor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }), logger);
    expect(tracer().startSpan('again').isRecording()).toBe(true);
    await again?.stop();
  });

  it('keeps no trace the sampler turns down', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_off' };
    const tracing = startTracing(settingsFor(env), capture().logger);
    const span = tracer().startSpan('sampled out');
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing?.stop();
  });

  it("leaves an app's own SDK in place, and the server's spans go to it", async () => {
    const app = startInMemoryTracing();
    try {
      const { logger, lines } = capture();
      expect(startTracing(settingsFor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }), logger)).toBeUndefined();
      expect(lines.map((line) => line['msg'])).toEqual([
        'an OpenTelemetry SDK is already registered in this process: the server traces into it',
      ]);
      tracer().startSpan('into the app').end();
      expect(app.spans().map((span) => span.name)).toEqual(['into the app']);
      expect(trace.getActiveSpan()).toBeUndefined();
    } finally {
      await app.stop();
    }
  });
});
