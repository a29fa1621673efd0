import type { TextMapGetter } from '@opentelemetry/api';
import { otelApi } from './otelApi';
import { inSpan } from './inSpan';
import { activeTracer } from './tracer';
import { ATTR_NANGO_MESSAGE_TYPE, MESSAGING } from './messagingAttributes';

/** What the process span reads of a delivery (amqplib's ConsumeMessage has it all). */
export interface DeliveredMessage {
  readonly content: { readonly length: number };
  readonly fields: { readonly routingKey: string; readonly deliveryTag: number };
  readonly properties: {
    readonly headers?: Record<string, unknown> | undefined;
    readonly correlationId?: unknown;
    readonly type?: unknown;
  };
}

/** Reads the W3C trace context (`traceparent`, `tracestate`) from AMQP headers, where it may arrive as bytes. */
const AMQP_HEADERS: TextMapGetter<Record<string, unknown> | undefined> = {
  keys: (headers) => Object.keys(headers ?? {}),
  get: (headers, key) => {
    const value = headers?.[key];
    if (typeof value === 'string') return value;
    return Buffer.isBuffer(value) ? value.toString('latin1') : undefined;
  },
};

/**
 * Handles one delivery of a RabbitMQ queue inside a messaging consumer span `process <queue>`, a child of the
 * publisher's span when the message carries its trace context (what @nangohq/node-client puts in the headers), so a
 * trace runs from the app through the broker into the worker. A message without one starts a trace of its own.
 */
export function inProcessSpan<T>(msg: DeliveredMessage, handle: () => Promise<T>): Promise<T> {
  if (activeTracer() === undefined) return handle();
  const { propagation, ROOT_CONTEXT, SpanKind } = otelApi();
  const { headers, correlationId, type } = msg.properties;
  const queue = msg.fields.routingKey;
  const parent = headers === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, headers, AMQP_HEADERS);
  const attributes = {
    [MESSAGING.system]: 'rabbitmq',
    [MESSAGING.operationType]: 'process',
    [MESSAGING.operationName]: 'process',
    [MESSAGING.destinationName]: queue,
    [MESSAGING.bodySize]: msg.content.length,
    [MESSAGING.deliveryTag]: msg.fields.deliveryTag,
    ...(typeof correlationId === 'string' && { [MESSAGING.conversationId]: correlationId }),
    ...(typeof type === 'string' && { [ATTR_NANGO_MESSAGE_TYPE]: type }),
  };
  return inSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, attributes }, handle, parent);
}
