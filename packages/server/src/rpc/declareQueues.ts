import type { Channel } from 'amqplib';
import { deadLetterQueue } from '../broker/queueNames';
import { credentialsQueue } from '@nangohq/protocol';

/** How the request queue is declared. */
export interface QueueSettings {
  queue: string;
  queueType: 'classic' | 'quorum';
  maxDeliveries: number;
  /** Whether the queue has a credentials queue beside it. Default: true; false for the action overflow queue. */
  credentialsQueue?: boolean;
}

/**
 * Declares the durable request queue and its dead-letter queue: a rejected request (unreadable, too large, or
 * delivered too often) is moved there by the broker instead of being lost or retried forever. Quorum queues
 * also count deliveries themselves (x-delivery-limit).
 *
 * Also declares the credentials queue, which takes the requests that carry credentials (registerConnection,
 * updateConnectionCredentials), published non-persistent, with no dead-letter exchange (an expired or refused
 * request is dropped, never kept). On classic it is a classic queue in default mode (a lazy policy would page every
 * message to disk), so the credentials stay off the broker's disk. On quorum it is a quorum queue like the others:
 * a classic durable queue lives on one node, and while that node is down RabbitMQ refuses to declare or consume it
 * (404, "home node is down"), which would keep every worker of the cluster from setting up its request consumer.
 * The cost: a quorum queue writes every message to each node's Raft log, credentials too, until the log is
 * truncated (docs/reliability.md, "A RabbitMQ cluster"). Past `maxDeliveries` the broker drops such a request.
 * @throws Error saying what to do when the queue exists with other arguments (an older worker or another type)
 */
export async function declareQueues(channel: Channel, settings: QueueSettings): Promise<void> {
  const { queue, queueType, maxDeliveries } = settings;
  const typeArgument = { 'x-queue-type': queueType };
  try {
    await channel.assertQueue(deadLetterQueue(queue), { durable: true, arguments: typeArgument });
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        ...typeArgument,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': deadLetterQueue(queue),
        ...(queueType === 'quorum' && { 'x-delivery-limit': maxDeliveries }),
      },
    });
    if (settings.credentialsQueue !== false) {
      await channel.assertQueue(credentialsQueue(queue), {
        durable: true,
        arguments:
          queueType === 'quorum'
            ? { 'x-queue-type': 'quorum', 'x-delivery-limit': maxDeliveries }
            : { 'x-queue-type': 'classic', 'x-queue-mode': 'default' },
      });
    }
  } catch (error) {
    const message = (error as Error).message;
    if (!message.includes('PRECONDITION_FAILED')) throw error;
    throw new Error(
      `Queue '${queue}' exists with other settings than this worker's (${message}). It was declared by an older ` +
        `worker or with another NANGO_QUEUE_TYPE: drain and delete it (rabbitmqctl delete_queue ${queue}), or set NANGO_QUEUE to a new name.`,
      { cause: error },
    );
  }
}
