import type { Channel, ConsumeMessage } from 'amqplib';
import type { HandlerContext } from '../handlers';
import type { Logger } from '../logger';
import { processRequest } from './processRequest';

/**
 * Consumes the request queue on one channel and answers each request on its `replyTo`, with its
 * `correlationId`. A request is acked only after its reply is published; one that cannot be answered (no reply
 * address) or cannot be read (not JSON) is logged and rejected without requeue, so it is never retried forever.
 */
export class RequestConsumer {
  private consumerTag: string | undefined;
  private inFlight = 0;
  private idle: (() => void) | undefined;

  constructor(
    private readonly channel: Channel,
    private readonly context: HandlerContext,
    private readonly logger: Logger,
  ) {}

  /** Declares the durable queue, sets the prefetch and starts consuming. */
  async start(queue: string, prefetch: number): Promise<void> {
    await this.channel.assertQueue(queue, { durable: true });
    await this.channel.prefetch(prefetch);
    const { consumerTag } = await this.channel.consume(queue, (msg) => this.onDelivery(msg));
    this.consumerTag = consumerTag;
  }

  /** Stops taking requests and waits (up to `graceMs`) for those in flight to be answered. */
  async stop(graceMs: number): Promise<void> {
    if (this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    this.consumerTag = undefined;
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Requests being handled right now. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  private onDelivery(msg: ConsumeMessage | null): void {
    if (msg === null) {
      this.logger.error('the broker cancelled the request consumer (was the queue deleted?)');
      return;
    }
    this.inFlight++;
    void this.respond(msg).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    });
  }

  private async respond(msg: ConsumeMessage): Promise<void> {
    const { replyTo, correlationId } = msg.properties as { replyTo?: string; correlationId?: string };
    if (!replyTo) {
      this.logger.warn({ correlationId, bytes: msg.content.length }, 'request without a reply address rejected');
      this.settle(msg, false);
      return;
    }
    const { reply, malformed } = await processRequest(this.context, msg.content, this.logger);
    if (malformed)
      this.logger.warn({ correlationId, bytes: msg.content.length }, 'request that is not JSON answered and rejected');
    try {
      this.channel.publish('', replyTo, reply, { correlationId, contentType: 'application/json' });
    } catch (error) {
      // The channel died under us; the unacked request goes back to the queue and another delivery answers it.
      this.logger.warn({ correlationId, err: error }, 'could not publish a reply: the channel is closed');
      return;
    }
    this.settle(msg, !malformed);
  }

  private settle(msg: ConsumeMessage, ok: boolean): void {
    try {
      if (ok) this.channel.ack(msg);
      else this.channel.nack(msg, false, false);
    } catch {
      // Acking on a closed channel is impossible and unnecessary: the broker requeues what was not acked.
    }
  }
}
