import { resolveTracingSettings } from '../../src/tracing/TracingSettings';
import { resolveWorkerSettings } from '../../src/settings';

function resolve(env: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  return { settings: resolveTracingSettings(env, problems), problems };
}

describe('resolveTracingSettings', () => {
  it('exports nothing without an OTLP endpoint, and says so with the defaults', () => {
    expect(resolve({})).toEqual({
      settings: {
        tracesUrl: undefined,
        protocol: 'http/protobuf',
        serviceName: 'nango-server',
        sampler: 'parentbased_always_on',
        samplerRatio: 1,
      },
      problems: [],
    });
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and takes the traces endpoint as it is', () => {
    expect(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).settings.tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    const both = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp',
    };
    expect(resolve(both).settings.tracesUrl).toBe('https://traces.example.com/otlp');
  });

  it('reads the protocol, the service name and the sampler', () => {
    const { settings, problems } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'nango-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ protocol: 'http/json', serviceName: 'nango-eu', samplerRatio: 0.25 });
    expect(settings.sampler).toBe('parentbased_traceidratio');
  });

  it('exports nothing when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, endpoint or not', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' };
    expect(resolve({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).settings.tracesUrl).toBeUndefined();
    expect(resolve({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).settings.tracesUrl).toBeUndefined();
    expect(resolve({ ...endpoint, OTEL_TRACES_EXPORTER: 'otlp' }).settings.tracesUrl).toBe('http://localhost:4318/v1/traces');
  });

  it('names every bad value, and never quotes an endpoint (it may hold a password)', () => {
    const { problems } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318?token=hunter2',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_TRACES_EXPORTER: 'zipkin',
    });
    expect(problems).toEqual([
      "OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (OTLP over HTTP, port 4318; gRPC is not supported), got 'grpc'",
      expect.stringContaining('OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, '),
      "OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got '2'",
      "OTEL_TRACES_EXPORTER must be otlp or none, got 'zipkin'",
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (an OTLP/HTTP endpoint such as http://localhost:4318)',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('makes the worker refuse to start with a bad value, beside its own settings', () => {
    expect(() => resolveWorkerSettings({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http\/protobuf or http\/json/,
    );
    expect(resolveWorkerSettings({}).tracing.tracesUrl).toBeUndefined();
  });
});
