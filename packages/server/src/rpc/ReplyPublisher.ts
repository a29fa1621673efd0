import type { Channel, ChannelModel } from 'amqplib';
import type { Logger } from '../logger';

/** How long a reply waits for the reply connection to come back before its request is requeued. */
const WAIT_FOR_CHANNEL_MS = 5_000;

/**
 * Publishes replies on a connection of their own. A reply the broker refuses (a forged reply address makes
 * RabbitMQ close the connection that published it) then takes down only this connection, which recovers,
 * while the request consumer keeps going and its request is acked, not redelivered forever.
 */
export class ReplyPublisher {
  private channel: Channel | undefined;
  private waiting: Array<() => void> = [];
  private closing = false;

  constructor(private readonly logger: Logger) {}

  /** Recovery setup: a fresh channel on every new reply connection. */
  readonly setup = async (model: ChannelModel): Promise<void> => {
    if (this.closing) throw new Error('the worker is stopping');
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'reply channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      // A channel can die while its connection lives on; closing the connection makes recovery rebuild both.
      if (!this.closing) void model.close().catch(() => undefined);
    });
    this.channel = channel;
    for (const wake of this.waiting.splice(0)) wake();
  };

  /** Sends a reply; false when no reply channel came up in time (the caller requeues the request). */
  readonly publish = async (replyTo: string, reply: Buffer, correlationId: string | undefined): Promise<boolean> => {
    const channel = this.channel ?? (await this.waitForChannel());
    if (!channel) return false;
    try {
      channel.publish('', replyTo, reply, {
        ...(correlationId !== undefined && { correlationId }),
        contentType: 'application/json',
      });
      return true;
    } catch {
      return false;
    }
  };

  /**
   * Stops setting up channels and closes the current one. Closing the channel (and waiting for the broker to
   * confirm) before the connection makes every reply published on it reach the broker first: a connection close
   * can overtake frames still queued on a channel, and those replies would be lost.
   */
  async close(): Promise<void> {
    this.closing = true;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await channel.close().catch(() => undefined);
    for (const wake of this.waiting.splice(0)) wake();
  }

  private waitForChannel(): Promise<Channel | undefined> {
    if (this.closing) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(this.channel);
      };
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== wake);
        resolve(undefined);
      }, WAIT_FOR_CHANNEL_MS);
      this.waiting.push(wake);
    });
  }
}
