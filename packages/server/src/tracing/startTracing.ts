import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger';
import type { TracingSettings } from './TracingSettings';

/** A started SDK; `stop` exports what is still buffered, then unregisters it. */
export interface Tracing {
  stop(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK when `settings` name an OTLP endpoint: a tracer provider with the sampler asked for,
 * a batch span processor (spans are queued and exported every OTEL_BSP_SCHEDULE_DELAY ms, 5 s by default, off the
 * request path; past OTEL_BSP_MAX_QUEUE_SIZE, 2048, new spans are dropped, never waited for), the W3C trace context
 * propagator and the AsyncLocalStorage context manager, all registered with the API's globals. Returns undefined,
 * having started nothing, without an endpoint, or when the process already has an SDK (an app that embeds the
 * worker): the server's spans then go to that one.
 */
export function startTracing(settings: TracingSettings, logger: Logger): Tracing | undefined {
  const url = settings.tracesUrl;
  if (url === undefined) return undefined;
  const exporter = settings.protocol === 'http/json' ? new JsonExporter({ url }) : new ProtobufExporter({ url });
  const provider = new NodeTracerProvider({
    resource: resourceOf(settings),
    sampler: samplerOf(settings),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  if (!trace.setGlobalTracerProvider(provider)) {
    void provider.shutdown();
    logger.warn('an OpenTelemetry SDK is already registered in this process: the server traces into it');
    return undefined;
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  // The SDK's own troubles (an export refused or unreachable, spans dropped) reach the log as text: its messages
  // and errors' messages only, never an object it passes along (a response, a request's options and headers).
  const sdkLog = logger.child({ component: 'tracing' });
  const write = (message: string, ...args: unknown[]) => sdkLog.warn([message, ...args.map(textOf)].join(' ').trim());
  diag.setLogger(
    { error: write, warn: write, info: () => undefined, debug: () => undefined, verbose: () => undefined },
    DiagLogLevel.WARN,
  );
  const { protocol, sampler, serviceName } = settings;
  // The host alone: the URL may carry credentials in its user info or its query.
  logger.info({ host: new URL(url).host, protocol, sampler, serviceName }, 'exporting traces over OTLP');
  return {
    async stop() {
      await provider.shutdown().catch((error: unknown) => sdkLog.warn({ err: error }, 'could not export the last spans'));
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}

/** What the log shows of one argument of the SDK's diagnostics. */
function textOf(arg: unknown): string {
  if (typeof arg === 'string' || typeof arg === 'number') return String(arg);
  return arg instanceof Error ? `${arg.name}: ${arg.message}` : '';
}

function resourceOf(settings: TracingSettings) {
  const ours = resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: VERSION });
  // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME come last, so they win, as the specification has it.
  return defaultResource()
    .merge(ours)
    .merge(detectResources({ detectors: [envDetector] }));
}

function samplerOf({ sampler, samplerRatio }: TracingSettings): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** This package's version, the `service.version` of its spans. */
const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
