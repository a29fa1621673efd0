import type { Channel } from 'amqplib';
import { asyncActionQueue } from '../broker/queueNames';

/** Declares the async action queue; the API (which publishes) and the workers (which consume) declare it alike. */
export async function declareAsyncActionQueue(channel: Channel, queue: string, queueType: 'classic' | 'quorum'): Promise<string> {
  const name = asyncActionQueue(queue);
  await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': queueType } });
  return name;
}

/** The path an async action's result is read at (contract C.3: `statusUrl`). */
export function statusUrlOf(id: string): string {
  return `/action/${id}`;
}

/** How long a claimed run's lease lasts; its worker renews it every third of that while the run goes on. */
export const ASYNC_LEASE_MS = 30_000;
/** How often a worker looks for runs nobody holds (a lost publish, a dead worker). */
export const ASYNC_SWEEP_MS = 5_000;
/** How long a queued run may wait for its message before a worker's sweep takes it anyway. */
export const ASYNC_QUEUED_GRACE_MS = 30_000;
/** Runs after a worker died during one, beyond X-Max-Retries, before the call fails `action_outcome_unknown`. */
export const ASYNC_RERUNS_AFTER_CRASH = 2;
