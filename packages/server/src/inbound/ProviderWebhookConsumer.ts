import type { Channel, ConsumeMessage } from 'amqplib';
import { QueueConsumer, type Settlement } from '../broker/QueueConsumer';
import type { Logger } from '../logger';
import type { OperationContext } from '../operations/OperationContext';
import { routeProviderWebhook, type WebhookHandlers } from '../operations/routeProviderWebhook';
import { declareProviderWebhookQueue, parseProviderWebhookMessage } from '../providerWebhooks/providerWebhookQueue';
import { inProcessSpan } from '../tracing/inProcessSpan';

export interface ProviderWebhookConsumerOptions {
  context: OperationContext;
  logger: Logger;
  queue: string;
  queueType: 'classic' | 'quorum';
  /** Webhooks a worker routes at once: the broker holds the rest, so a burst waits there rather than in memory. */
  prefetch: number;
  /** The subscribed functions' runner; absent: webhooks are routed and forwarded only. */
  handlers?: WebhookHandlers;
}

/**
 * Takes provider webhooks from `<queue>.webhooks` on a worker and routes each (operations/routeProviderWebhook.ts).
 * A message is acked once routed; one whose routing failed (the store down, say) goes back to the queue once, and is
 * dropped, with an error line, if it fails again (a message that always fails must not circle for ever). A worker
 * that stops cancels its consumer; what it had not acked goes back to the queue for another.
 */
export class ProviderWebhookConsumer extends QueueConsumer {
  constructor(private readonly options: ProviderWebhookConsumerOptions) {
    super(options.logger, 'provider webhook', options.prefetch);
  }

  protected declare(channel: Channel): Promise<string> {
    return declareProviderWebhookQueue(channel, this.options.queue, this.options.queueType);
  }

  protected handle(msg: ConsumeMessage): Promise<Settlement> {
    const { logger, context, handlers } = this.options;
    const message = parseProviderWebhookMessage(msg.content);
    if (message === undefined) {
      logger.warn({ bytes: msg.content.length }, 'unreadable provider webhook message dropped');
      return Promise.resolve('ack');
    }
    return inProcessSpan(msg, () => routeProviderWebhook(context, message, handlers)).then(
      () => 'ack' as const,
      (error: unknown) => {
        const again = !msg.fields.redelivered;
        logger.error(
          { err: error, integration: message.integration, operationId: message.operationId, requeued: again },
          again ? 'provider webhook not routed; it goes back to the queue once' : 'provider webhook not routed twice; dropped',
        );
        return again ? ('requeue' as const) : ('ack' as const);
      },
    );
  }
}
