import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
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
export class ProviderWebhookConsumer {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private stopping = false;
  private readonly active = new Set<Promise<unknown>>();

  constructor(private readonly options: ProviderWebhookConsumerOptions) {}

  /** Recovery setup of its broker connection: a channel consuming the webhook queue, on every new connection. */
  readonly setup = async (model: ChannelModel): Promise<void> => {
    if (this.stopping) throw new Error('the worker is stopping');
    const { queue, queueType, prefetch, logger } = this.options;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => logger.warn({ err: error }, 'provider webhook channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      if (!this.stopping) void model.close().catch(() => undefined);
    });
    const name = await declareProviderWebhookQueue(channel, queue, queueType);
    await channel.prefetch(prefetch);
    this.channel = channel;
    const { consumerTag } = await channel.consume(name, (msg) => this.onMessage(channel, msg));
    this.consumerTag = consumerTag;
  };

  /** Stops taking webhooks; those being routed finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (tag !== undefined) await this.channel?.cancel(tag).catch(() => undefined);
  }

  /** Resolves when no webhook is being routed, or after `graceMs`. */
  async waitIdle(graceMs: number): Promise<void> {
    if (this.active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.active]), grace]);
    clearTimeout(timer);
  }

  /** Closes the channel: what is still unacked goes back to the queue. */
  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private onMessage(channel: Channel, msg: ConsumeMessage | null): void {
    const { logger, context, handlers } = this.options;
    if (msg === null) {
      void channel.close().catch(() => undefined); // cancelled by the broker: reconnecting declares the queue again
      return;
    }
    const message = parseProviderWebhookMessage(msg.content);
    if (message === undefined) {
      logger.warn({ bytes: msg.content.length }, 'unreadable provider webhook message dropped');
      channel.ack(msg);
      return;
    }
    const work = inProcessSpan(msg, () => routeProviderWebhook(context, message, handlers)).then(
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
    this.active.add(work);
    void work.then((settlement) => {
      this.active.delete(work);
      try {
        if (settlement === 'ack') channel.ack(msg);
        else channel.nack(msg, false, true);
      } catch {
        // A closed channel: the broker redelivers the message.
      }
    });
  }
}
