import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../logger';
import type { OperationContext } from '../operations/OperationContext';
import { runOnEvents } from '../operations/runOnEvents';
import { declareOnEventQueue, decodeOnEventRun } from './onEventMessage';

/** Wait before a run the store could not start is given back, so that a database outage is not a hot loop. */
const REQUEUE_DELAY_MS = 1_000;

export interface OnEventConsumerOptions {
  context: OperationContext;
  logger: Logger;
  queue: string;
  queueType: 'classic' | 'quorum';
  /** Runs a worker takes from the queue at once; they share the action slots of its runner. */
  prefetch: number;
}

/**
 * Runs the on-event functions queued on `<queue>.events` (post-connection-creation, see OnEventPublisher) on a
 * worker: one message, one runOnEvents, acked once it ended, whatever the functions did (their failures are their
 * `event` operations'). A run cut short by the worker stopping is given back (requeued) for another worker; a message
 * that is not a run is logged and dropped, since no retry can make it one.
 */
export class OnEventConsumer {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private stopping = false;
  private readonly active = new Set<Promise<unknown>>();

  constructor(private readonly options: OnEventConsumerOptions) {}

  /** Recovery setup of its broker connection: a channel consuming the on-event queue, on every new connection. */
  readonly setup = async (model: ChannelModel): Promise<void> => {
    if (this.stopping) throw new Error('the worker is stopping');
    const { queue, queueType, prefetch, logger } = this.options;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => logger.warn({ err: error }, 'on-event channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      if (!this.stopping) void model.close().catch(() => undefined);
    });
    const name = await declareOnEventQueue(channel, queue, queueType);
    await channel.prefetch(prefetch);
    this.channel = channel;
    const { consumerTag } = await channel.consume(name, (msg) => this.onMessage(channel, msg));
    this.consumerTag = consumerTag;
  };

  /** Stops taking runs; those going on finish, or are given back if the runner stops them. */
  async stop(): Promise<void> {
    this.stopping = true;
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (tag !== undefined) await this.channel?.cancel(tag).catch(() => undefined);
  }

  /** Resolves when no run is going on, or after `graceMs`. */
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
    const run = decodeOnEventRun(msg.content);
    if (typeof run === 'string') {
      this.options.logger.warn({ reason: run, bytes: msg.content.length }, 'unreadable on-event message dropped');
      channel.ack(msg);
      return;
    }
    const work = runOnEvents(this.options.context, run).then(
      // A failure while the worker stops may be the runner stopping it: another worker runs the event again.
      (failures) => (this.stopping && failures.length > 0 ? 'requeue' : 'ack'),
      async (error: unknown) => {
        // The deployment or the Connection could not be read: a later try (here or on another worker) may.
        this.options.logger.warn({ err: error, integration: run.integration, event: run.event }, 'on-event run failed; requeued');
        await new Promise((resolve) => setTimeout(resolve, REQUEUE_DELAY_MS));
        return 'requeue' as const;
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
