import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../logger';

/** What a consumer does with a message once its work ended: ack it, or give it back to the queue. */
export type Settlement = 'ack' | 'requeue';

/**
 * A worker's consumer of one durable queue of work (on-event runs, provider webhooks): a channel of its own with a
 * prefetch, set up again on every new broker connection; each message handled at once and settled when its work
 * ends; a stop that cancels the consumer and lets work in flight finish; a close that gives back what is unacked.
 * Subclasses say which queue (`declare`) and what a message means (`handle`).
 */
export abstract class QueueConsumer {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private stopping = false;
  private readonly active = new Set<Promise<unknown>>();

  /**
   * @param what names the queue's work in log lines (`on-event`, `provider webhook`)
   * @param prefetch messages taken at once: the broker holds the rest, so a burst waits there rather than in memory
   */
  protected constructor(
    protected readonly logger: Logger,
    private readonly what: string,
    private readonly prefetch: number,
  ) {}

  /** Declares the queue on `channel` and answers its name. */
  protected abstract declare(channel: Channel): Promise<string>;

  /** Does a message's work; never rejects (a failure is settled as the subclass decides). */
  protected abstract handle(msg: ConsumeMessage): Promise<Settlement>;

  /** Whether stop() was called: work cut short by the stop may be given back for another worker. */
  protected get isStopping(): boolean {
    return this.stopping;
  }

  /** Recovery setup of its broker connection: a channel consuming the queue, on every new connection. */
  readonly setup = async (model: ChannelModel): Promise<void> => {
    if (this.stopping) throw new Error('the worker is stopping');
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.logger.warn({ err: error }, `${this.what} channel error`));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      if (!this.stopping) void model.close().catch(() => undefined);
    });
    const name = await this.declare(channel);
    await channel.prefetch(this.prefetch);
    this.channel = channel;
    const { consumerTag } = await channel.consume(name, (msg) => this.onMessage(channel, msg));
    this.consumerTag = consumerTag;
  };

  /** Stops taking messages; work in flight finishes (or is given back if it is stopped). */
  async stop(): Promise<void> {
    this.stopping = true;
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (tag !== undefined) await this.channel?.cancel(tag).catch(() => undefined);
  }

  /** Resolves when no work is in flight, or after `graceMs`. */
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
    if (msg === null) {
      void channel.close().catch(() => undefined); // cancelled by the broker: reconnecting declares the queue again
      return;
    }
    const work = this.handle(msg);
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
