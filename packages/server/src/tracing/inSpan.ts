import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { otelApi } from './otelApi';
import { ATTR_ERROR_TYPE } from './semanticConventions';
import { WorkerError } from '../errors';
import { activeTracer } from './tracer';

/**
 * Runs `work` in a new span, active for everything `work` awaits, and ends the span when `work` settles: an error
 * marks it failed (see failSpan) and is thrown on as it is. Without an SDK, `work` just runs (see activeTracer).
 * @param parent the span's parent context; default the active one
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return work(NOT_RECORDED);
  return traced(tracer, name, options, work, parent ?? otelApi().context.active());
}

/**
 * What `work` gets when nothing is traced: a span that records nothing, with the API's invalid span context. Our own
 * rather than the API's (`trace.wrapSpanContext(INVALID_SPAN_CONTEXT)`), so that a server without tracing never loads
 * the API (see otelApi).
 */
const NOT_RECORDED: Span = {
  spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }),
  setAttribute: () => NOT_RECORDED,
  setAttributes: () => NOT_RECORDED,
  addEvent: () => NOT_RECORDED,
  addLink: () => NOT_RECORDED,
  addLinks: () => NOT_RECORDED,
  setStatus: () => NOT_RECORDED,
  updateName: () => NOT_RECORDED,
  end: () => undefined,
  isRecording: () => false,
  recordException: () => undefined,
};

async function traced<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context,
): Promise<T> {
  const { context, trace } = otelApi();
  const span = tracer.startSpan(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), work, undefined, span);
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Marks a span failed with what may be shown of `error`: a WorkerError's code and message (they go to callers, so
 * they hold no secret), or only the class name of anything else (whose message may quote a URL, a header or a body).
 */
export function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const { SpanStatusCode } = otelApi();
  if (error instanceof WorkerError) {
    span.setAttribute(ATTR_ERROR_TYPE, error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    return;
  }
  const name = error instanceof Error ? error.name : typeof error;
  span.setAttribute(ATTR_ERROR_TYPE, name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: name });
}
