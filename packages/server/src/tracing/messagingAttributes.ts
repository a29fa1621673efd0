/**
 * The messaging attributes of the OpenTelemetry semantic conventions that are still incubating, copied here as the
 * conventions package advises (its `incubating` entry point may rename them in a minor release). The node client
 * (packages/node-client/src/tracing.ts) writes the same names on its side of the broker.
 */
export const MESSAGING = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destinationName: 'messaging.destination.name',
  conversationId: 'messaging.message.conversation_id',
  bodySize: 'messaging.message.body.size',
  deliveryTag: 'messaging.rabbitmq.message.delivery_tag',
} as const;

/** The RPC message type (`triggerAction`, `getToken`, …) a span is about: our own attribute. */
export const ATTR_NANGO_MESSAGE_TYPE = 'nango.message.type';
