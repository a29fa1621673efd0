import { trace, type Tracer } from '@opentelemetry/api';

/**
 * The server's tracer, from the OpenTelemetry API's global registry: a no-op (a few allocations per span) until an
 * SDK is registered, ours (see startTracing) or that of an app that embeds the worker. Asked for at each span, not
 * kept: the API's tracer holds on to the first SDK it found, and a worker stopped and started again in one process
 * (tests, an app) registers a new one.
 */
export function tracer(): Tracer {
  return trace.getTracer('@nangohq/server');
}
