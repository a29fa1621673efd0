import { credentialsQueue } from '@nangohq/protocol';
import { asyncActionQueue } from '../asyncActions/asyncActionQueue';
import { syncQueue } from '../syncs/syncQueue';
import { overflowQueue } from './ActionOverflow';
import { deadLetterQueue } from './declareQueues';

/**
 * Every queue the workers of `queue` declare: requests and their dead letters, credential-bearing requests, the
 * action overflow and its dead letters, async actions and sync runs. For tools and tests that clean up after a
 * worker (`rabbitmqctl delete_queue` each, or amqplib's deleteQueue).
 */
export function workerQueueNames(queue: string): string[] {
  return [
    queue,
    deadLetterQueue(queue),
    credentialsQueue(queue),
    overflowQueue(queue),
    deadLetterQueue(overflowQueue(queue)),
    asyncActionQueue(queue),
    syncQueue(queue),
  ];
}
