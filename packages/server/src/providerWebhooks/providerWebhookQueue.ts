import type { Channel } from 'amqplib';
import { providerWebhookQueue } from '../broker/queueNames';
import type { RoutedEvent } from './IncomingWebhook';

/**
 * One provider webhook on `<queue>.webhooks`: what the HTTP door accepted (signature checked, body parsed, events
 * read by the provider's routing), for a worker to find the Connections, forward it and run the subscribed
 * functions. Persistent; published with a publisher confirm before the provider is answered.
 */
export interface ProviderWebhookMessage {
  readonly integration: string;
  /** The catalog entry, for the forward's `from`. */
  readonly provider: string | undefined;
  /** The reception's operation: the worker's operation is its child. */
  readonly operationId: string;
  /** Epoch ms. */
  readonly receivedAt: number;
  readonly events: readonly RoutedEvent[];
  readonly payload: unknown;
}

/**
 * Declares the provider webhook queue, durable, of the type NANGO_QUEUE_TYPE names (quorum on a cluster, so that a
 * webhook accepted outlives the node it was published on). The API (which publishes) and the workers declare it alike.
 * @throws Error saying what to do when the queue exists with another type
 */
export async function declareProviderWebhookQueue(
  channel: Channel,
  queue: string,
  queueType: 'classic' | 'quorum',
): Promise<string> {
  const name = providerWebhookQueue(queue);
  try {
    await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': queueType } });
  } catch (error) {
    const message = (error as Error).message;
    if (!message.includes('PRECONDITION_FAILED')) throw error;
    throw new Error(
      `Queue '${name}' exists with another type than NANGO_QUEUE_TYPE=${queueType} (${message}); once it is empty, ` +
        `delete it (rabbitmqctl delete_queue ${name}), or set NANGO_QUEUE to a new name.`,
      { cause: error },
    );
  }
  return name;
}

/** The message a delivery holds, or undefined when it is not one (dropped, with a log line, by the consumer). */
export function parseProviderWebhookMessage(content: Buffer): ProviderWebhookMessage | undefined {
  try {
    const value = JSON.parse(content.toString('utf8')) as Partial<ProviderWebhookMessage>;
    if (typeof value.integration !== 'string' || typeof value.operationId !== 'string' || !Array.isArray(value.events)) {
      return undefined;
    }
    return value as ProviderWebhookMessage;
  } catch {
    return undefined;
  }
}
