import type { Tracer } from '@opentelemetry/api';
import { otelApi, otelRegistered } from './otelApi';

const NAME = '@nangohq/server';

/**
 * The server's tracer when an OpenTelemetry SDK is registered (ours, see startTracing, or that of an app that embeds
 * the worker); undefined while none is, and then the span helpers skip tracing altogether: the API's no-op spans
 * still cost ~1.5 µs each (a tracer, a span object, an async frame), which the hot path need not pay for nothing.
 * Asked for at each span, not kept: the API's tracer holds on to the first SDK it found, and a worker stopped and
 * started again in one process (tests, an app) registers a new one.
 */
export function activeTracer(): Tracer | undefined {
  if (!otelRegistered()) return undefined; // nothing registered: the API would answer its no-op provider
  const { ProxyTracerProvider, trace } = otelApi();
  const provider = trace.getTracerProvider();
  // Another copy of the API registered the SDK: its provider is not our class, and is asked as it is.
  return provider instanceof ProxyTracerProvider ? provider.getDelegateTracer(NAME) : provider.getTracer(NAME);
}
