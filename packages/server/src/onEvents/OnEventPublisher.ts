import type * as amqp from 'amqplib';
import { connectBroker } from '../broker/connectBroker';
import { onEventQueue } from '../broker/queueNames';
import type { Logger } from '../logger';
import type { OnEventQueue, OnEventRun } from '../operations/OnEventQueue';
import { declareOnEventQueue, encodeOnEventRun } from './onEventMessage';
import { ReconnectWait } from '../broker/ReconnectWait';

export interface OnEventPublisherOptions {
  /** One broker URL or several, comma-separated (NANGO_RABBITMQ_URL). */
  rabbitmqUrl: string;
  queue: string;
  queueType: 'classic' | 'quorum';
  logger: Logger;
}

/** How long an enqueue made right after start waits for the broker link before the caller runs the functions itself. */
const CONNECT_WAIT_MS = 2_000;

/**
 * Queues post-connection-creation runs on `<queue>.events` for the workers, from whichever process stored the
 * Connection (an API process, a worker answering registerConnection). Each message is persistent and published on a
 * confirm channel: once enqueue resolves true the broker holds it, so the run survives this process; a worker that
 * dies during the run leaves it unacked, and another runs it. Connects in the background and reconnects by itself.
 */
export class OnEventPublisher implements OnEventQueue {
  private model: amqp.RecoveringChannelModel | undefined;
  private channel: amqp.ConfirmChannel | undefined;
  private closed = false;
  private connecting: Promise<void> | undefined;
  /** Wakes the waits when the publisher closes. */
  private readonly reconnectWait = new ReconnectWait();

  constructor(private readonly options: OnEventPublisherOptions) {}

  /** Starts connecting in the background, trying again until it succeeds or the publisher closes. */
  start(): void {
    this.connecting ??= this.keepTrying();
  }

  async enqueue(run: OnEventRun): Promise<boolean> {
    if (this.closed) return false;
    if (!this.channel && this.connecting) await Promise.race([this.connecting, this.reconnectWait.for(CONNECT_WAIT_MS)]);
    const channel = this.channel;
    if (!channel) return false;
    try {
      await new Promise<void>((resolve, reject) =>
        channel.sendToQueue(
          onEventQueue(this.options.queue),
          encodeOnEventRun(run),
          { persistent: true, contentType: 'application/json' },
          (error) => (error ? reject(error as Error) : resolve()),
        ),
      );
      return true;
    } catch (error) {
      this.options.logger.warn({ err: error, integration: run.integration, event: run.event }, 'could not queue an on-event run');
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reconnectWait.wakeAll();
    await this.connecting;
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
    await this.model?.close().catch(() => undefined);
  }

  private async keepTrying(): Promise<void> {
    const { rabbitmqUrl: url, logger, queue, queueType } = this.options;
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const model = await connectBroker({
          url,
          name: 'on-event publisher',
          retries: 0,
          logger,
          setup: async (connection) => {
            const channel = await connection.createConfirmChannel();
            channel.on('error', (error: Error) => logger.warn({ err: error }, 'on-event publisher channel error'));
            channel.on('close', () => {
              if (this.channel === channel) this.channel = undefined;
            });
            await declareOnEventQueue(channel, queue, queueType);
            this.channel = channel;
          },
        });
        if (this.closed) await model.close().catch(() => undefined);
        else this.model = model;
        return;
      } catch (error) {
        if (attempt === 0) logger.warn({ err: error }, 'the on-event publisher cannot reach the broker yet; runs go in-process');
        await this.reconnectWait.after(attempt);
      }
    }
  }
}
