import type { Channel } from 'amqplib';
import { declareQueues } from '../../src/rpc/declareQueues';
import { declareSyncQueue } from '../../src/syncs/syncQueue';
import { declareAsyncActionQueue } from '../../src/asyncActions/asyncActionQueue';
import { overflowQueue, workerQueueNames } from '../../src/broker/queueNames';
import { declareOnEventQueue } from '../../src/onEvents/onEventMessage';
import { declareProviderWebhookQueue } from '../../src/providerWebhooks/providerWebhookQueue';

/** A channel that records what is declared on it. */
function recordingChannel(): {
  channel: Channel;
  declared: Map<string, { durable?: boolean; arguments?: Record<string, unknown> }>;
} {
  const declared = new Map<string, { durable?: boolean; arguments?: Record<string, unknown> }>();
  const channel = {
    assertQueue: (name: string, options: { durable?: boolean; arguments?: Record<string, unknown> }) => {
      declared.set(name, options);
      return Promise.resolve({ queue: name, messageCount: 0, consumerCount: 0 });
    },
  } as unknown as Channel;
  return { channel, declared };
}

/** Every queue a worker declares, with `queueType`, as the worker declares them. */
async function declareAll(queueType: 'classic' | 'quorum') {
  const { channel, declared } = recordingChannel();
  await declareQueues(channel, { queue: 'q', queueType, maxDeliveries: 5 });
  await declareQueues(channel, { queue: overflowQueue('q'), queueType, maxDeliveries: 5, credentialsQueue: false });
  await declareAsyncActionQueue(channel, 'q', queueType);
  await declareSyncQueue(channel, 'q', queueType);
  await declareOnEventQueue(channel, 'q', queueType);
  await declareProviderWebhookQueue(channel, 'q', queueType);
  return declared;
}

describe('queue types', () => {
  it('with NANGO_QUEUE_TYPE=quorum, declares every queue of the product as a durable quorum queue', async () => {
    const declared = await declareAll('quorum');
    expect([...declared.keys()].sort()).toEqual([...workerQueueNames('q')].sort());
    for (const [name, options] of declared) {
      expect([name, options.durable, options.arguments?.['x-queue-type']]).toEqual([name, true, 'quorum']);
      expect([name, options.arguments?.['x-queue-mode']]).toEqual([name, undefined]); // quorum queues refuse it
    }
    // Redeliveries are counted by the broker; past the limit a request is dead-lettered, a credential one dropped.
    expect(declared.get('q')?.arguments).toMatchObject({ 'x-delivery-limit': 5, 'x-dead-letter-routing-key': 'q.dead' });
    expect(declared.get('q.credentials')?.arguments).toEqual({ 'x-queue-type': 'quorum', 'x-delivery-limit': 5 });
  });

  it('on classic keeps the credentials queue in default mode, and nothing else quorum', async () => {
    const declared = await declareAll('classic');
    for (const [name, options] of declared) expect([name, options.arguments?.['x-queue-type']]).toEqual([name, 'classic']);
    expect(declared.get('q.credentials')?.arguments).toEqual({ 'x-queue-type': 'classic', 'x-queue-mode': 'default' });
  });
});
