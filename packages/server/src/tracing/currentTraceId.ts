import { otelApi, otelRegistered } from './otelApi';

/**
 * The W3C trace id (32 hex digits) of the active span, when one is being recorded and exported: what an operation
 * of the operations log carries (`OperationLog.start({ ..., traceId: currentTraceId() })`), so that a person reading
 * it can open its trace. Undefined when tracing is off or the trace was sampled out.
 */
export function currentTraceId(): string | undefined {
  if (!otelRegistered()) return undefined;
  const { context, isSpanContextValid, trace, TraceFlags } = otelApi();
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext) || (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return spanContext.traceId;
}

/**
 * `fn` bound to the context active now: for callbacks that something else calls later from its own context (a
 * message from an action's sandbox thread asking for an HTTP call), so that their spans stay in the run's trace.
 */
export function bindToActiveContext<F extends (...args: never[]) => unknown>(fn: F): F {
  if (!otelRegistered()) return fn; // what the API's no-op context manager would return
  const { context } = otelApi();
  return context.bind(context.active(), fn);
}
