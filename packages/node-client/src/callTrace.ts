import type * as OpenTelemetry from '@opentelemetry/api';
import { otelRegistered } from '@nangohq/protocol';

/**
 * The app's @opentelemetry/api, an optional peer dependency: undefined when the app does not have it, and then the
 * client traces nothing and costs nothing. When it has it, the spans go to whatever SDK the app registered (none:
 * the API's no-ops), and the worker's spans join the same trace through the message headers.
 */
let otel: typeof OpenTelemetry | undefined | null = null; // null: not looked for yet

function loadOptional(): typeof OpenTelemetry | undefined {
  if (otel !== null) return otel;
  try {
    otel = require('@opentelemetry/api') as typeof OpenTelemetry;
  } catch {
    otel = undefined;
  }
  return otel;
}

const TRACER_NAME = '@nangohq/node-client';

/** The trace of one call: a client span from the call to its reply, and a producer span per publish. */
export interface CallTrace {
  /**
   * Runs `publish` in a span `publish <queue>` (a child of the call's span) after adding the W3C trace context
   * (`traceparent`, `tracestate`) to `headers`, the headers of the message it publishes.
   */
  publish(headers: Record<string, unknown>, publish: () => void): void;
  /** Ends the call's span, failed with the error's code when there is one. */
  end(error?: { readonly code: string; readonly message: string }): void;
}

/**
 * Starts the trace of one call of `type` to `queue`, a child of the app's active span (the semantic conventions'
 * messaging attributes, as the worker's `process` span has them). Undefined without @opentelemetry/api or without an
 * SDK registered.
 */
export function startCallTrace(type: string, queue: string): CallTrace | undefined {
  // No SDK registered: nothing to trace, and the API (44 modules, ~50 ms of CPU at a worker's start) is never loaded.
  if (!otelRegistered()) return undefined;
  const otel = loadOptional();
  if (otel === undefined) return undefined;
  const { context, propagation, trace, ProxyTracerProvider, SpanKind, SpanStatusCode } = otel;
  // Asked for at each call, not kept: the API's tracer holds on to the first SDK it found, and an app may replace it.
  // No SDK registered: no tracer, and nothing to do (the API's no-op spans would cost a few µs for nothing).
  const provider = trace.getTracerProvider();
  const tracer =
    provider instanceof ProxyTracerProvider ? provider.getDelegateTracer(TRACER_NAME) : provider.getTracer(TRACER_NAME);
  if (tracer === undefined) return undefined;
  const attributes = {
    'messaging.system': 'rabbitmq',
    'messaging.destination.name': queue,
    'nango.message.type': type,
  };
  const span = tracer.startSpan(type, { kind: SpanKind.CLIENT, attributes });
  const callContext = trace.setSpan(context.active(), span);
  return {
    publish(headers, publish) {
      const publishAttributes = { ...attributes, 'messaging.operation.type': 'send', 'messaging.operation.name': 'publish' };
      const options = { kind: SpanKind.PRODUCER, attributes: publishAttributes };
      const publishSpan = tracer.startSpan(`publish ${queue}`, options, callContext);
      propagation.inject(trace.setSpan(callContext, publishSpan), headers);
      try {
        publish();
      } catch (error) {
        publishSpan.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        publishSpan.end();
      }
    },
    end(error) {
      if (error !== undefined) {
        span.setAttribute('error.type', error.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
      span.end();
    },
  };
}
