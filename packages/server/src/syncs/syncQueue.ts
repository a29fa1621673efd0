import type { Channel } from 'amqplib';
import { syncQueue } from '../broker/queueNames';

/** A run message: which schedule, and the claim (run id) it was published for. */
export interface SyncRunMessage {
  readonly id: string;
  readonly runId: string;
}

/**
 * Declares the sync run queue: durable, of the type NANGO_QUEUE_TYPE names (a quorum queue on a cluster, so that
 * run messages outlive the node they were published on), no dead letters (a message that cannot be read is
 * dropped; the lease of its run expires and the scheduler publishes it again).
 * @throws Error saying what to do when the queue exists with another type (before, it was always classic)
 */
export async function declareSyncQueue(channel: Channel, queue: string, queueType: 'classic' | 'quorum'): Promise<void> {
  const name = syncQueue(queue);
  try {
    await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': queueType } });
  } catch (error) {
    const message = (error as Error).message;
    if (!message.includes('PRECONDITION_FAILED')) throw error;
    throw new Error(
      `Queue '${name}' exists with another type than NANGO_QUEUE_TYPE=${queueType} (${message}); it holds only sync run ` +
        `messages, which the scheduler publishes again: delete it (rabbitmqctl delete_queue ${name}), or set NANGO_QUEUE to a new name.`,
      { cause: error },
    );
  }
}

/** The run message a delivery holds, or undefined when it is not one. */
export function parseRunMessage(content: Buffer): SyncRunMessage | undefined {
  try {
    const value = JSON.parse(content.toString('utf8')) as Partial<SyncRunMessage>;
    if (typeof value.id === 'string' && typeof value.runId === 'string') return { id: value.id, runId: value.runId };
  } catch {
    // not JSON: dropped below
  }
  return undefined;
}
