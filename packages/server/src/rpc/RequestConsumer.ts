import type { Channel, ConsumeMessage } from 'amqplib';
import { credentialsQueue } from '@nangohq/protocol';
import type { Logger } from '../logger';
import { declareQueues, type QueueSettings } from './declareQueues';
import type { Responder } from './Responder';

/**
 * Consumes the request queue on one channel and settles each delivery as the Responder says: acked once its
 * reply is published; rejected without requeue when it cannot be answered (no reply address) or read (not
 * JSON), so it is never retried forever; requeued when no reply could be sent.
 */
export class RequestConsumer {
  private consumerTags: string[] = [];

  constructor(
    private readonly channel: Channel,
    private readonly responder: Responder,
    private readonly logger: Logger,
  ) {}

  /** Declares the queues, sets the prefetch and starts consuming the request queue and the credentials queue. */
  async start(queues: QueueSettings, prefetch: number): Promise<void> {
    await declareQueues(this.channel, queues);
    await this.channel.prefetch(prefetch);
    for (const [queue, credentials] of [
      [queues.queue, false],
      [credentialsQueue(queues.queue), true],
    ] as const) {
      const { consumerTag } = await this.channel.consume(queue, (msg) => this.onDelivery(msg, credentials));
      this.consumerTags.push(consumerTag);
    }
  }

  /** Stops taking new requests; those in flight are still answered (see Responder.waitIdle). */
  async stop(): Promise<void> {
    const tags = this.consumerTags;
    this.consumerTags = [];
    for (const tag of tags) await this.channel.cancel(tag).catch(() => undefined);
  }

  /**
   * Closes the channel once its acks are sent: the broker confirms a channel close only after the frames before it,
   * so no ack is lost to a connection close that overtakes them. What is still unacked goes back to the queue.
   */
  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
  }

  private onDelivery(msg: ConsumeMessage | null, fromCredentialsQueue: boolean): void {
    if (msg === null) {
      // The broker cancelled us (queue deleted, for one). Closing the channel makes the worker reconnect, which
      // declares the queue again and consumes anew, instead of sitting idle while every call is unroutable.
      this.logger.error('the broker cancelled the request consumer (was the queue deleted?); reconnecting');
      void this.channel.close().catch(() => undefined);
      return;
    }
    void this.responder.answer(msg, fromCredentialsQueue).then((settlement) => this.settle(msg, settlement));
  }

  private settle(msg: ConsumeMessage, settlement: 'ack' | 'reject' | 'requeue'): void {
    try {
      if (settlement === 'ack') this.channel.ack(msg);
      else this.channel.nack(msg, false, settlement === 'requeue');
    } catch {
      // A closed channel cannot ack and need not: the broker requeues what it did not see acked, and the
      // Responder answers that redelivery from the run it already has, if it is still going.
    }
  }
}
