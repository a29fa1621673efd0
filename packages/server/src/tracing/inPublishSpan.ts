import { otelApi } from './otelApi';
import { inSpan } from './inSpan';
import { MESSAGING } from './messagingAttributes';
import { activeTracer } from './tracer';

/**
 * Publishes one message to `queue` inside a messaging producer span `publish <queue>`, with the W3C trace context
 * (`traceparent`, `tracestate`) in the headers given to `publish`, so the worker that consumes it (see inProcessSpan)
 * continues the trace. Untraced, `publish` gets no headers and the message is what it was.
 */
export function inPublishSpan<T>(queue: string, publish: (headers?: Record<string, unknown>) => Promise<T>): Promise<T> {
  if (activeTracer() === undefined) return publish();
  const { context, propagation, SpanKind } = otelApi();
  const attributes = {
    [MESSAGING.system]: 'rabbitmq',
    [MESSAGING.operationType]: 'send',
    [MESSAGING.operationName]: 'publish',
    [MESSAGING.destinationName]: queue,
  };
  return inSpan(`publish ${queue}`, { kind: SpanKind.PRODUCER, attributes }, () => {
    const headers: Record<string, unknown> = {};
    propagation.inject(context.active(), headers);
    return publish(headers);
  });
}
