import type { Channel, ConsumeMessage } from 'amqplib';
import { createLogger } from '../../src/logger';
import type { ActionOverflow } from '../../src/rpc/ActionOverflow';
import { RequestConsumer } from '../../src/rpc/RequestConsumer';
import type { Responder, Settlement } from '../../src/rpc/Responder';

const logger = createLogger('silent', { write: () => undefined });

const action = (id: string) =>
  ({
    content: Buffer.from(`{"type":"triggerAction","id":"${id}"}`),
    properties: { correlationId: id },
    fields: {},
  }) as unknown as ConsumeMessage;
const read = (id: string) =>
  ({
    content: Buffer.from(`{"type":"listConnections","id":"${id}"}`),
    properties: { correlationId: id },
    fields: {},
  }) as unknown as ConsumeMessage;

/** A consumer over a fake channel whose answers the test finishes by hand. */
function setUp(budget: number, admit?: () => number) {
  const handlers = new Map<string, (msg: ConsumeMessage | null) => void>();
  const consumed: string[] = [];
  const acked: string[] = [];
  const channel = {
    assertQueue: async () => ({}),
    prefetch: async () => undefined,
    consume: async (queue: string, onMessage: (msg: ConsumeMessage | null) => void) => {
      consumed.push(queue);
      handlers.set(queue, onMessage);
      return { consumerTag: `t${consumed.length}` };
    },
    cancel: async () => undefined,
    ack: (msg: ConsumeMessage) => acked.push(String(msg.properties.correlationId)),
    nack: () => undefined,
  } as unknown as Channel;
  const answering = new Map<string, (settlement: Settlement) => void>();
  const responder = {
    answer: (msg: ConsumeMessage) =>
      new Promise<Settlement>((resolve) => answering.set(String(msg.properties.correlationId), resolve)),
  } as unknown as Responder;
  const moved: string[] = [];
  const mover = {
    move: async (msg: ConsumeMessage) => (moved.push(String(msg.properties.correlationId)), true),
  } as unknown as ActionOverflow;
  const consumer = admit
    ? new RequestConsumer(channel, responder, logger, undefined, admit)
    : new RequestConsumer(channel, responder, logger, { mover, budget });
  // Deliveries come on the first queue consumed (the request queue) unless another is named.
  const deliver = (msg: ConsumeMessage, queue = consumed[0] ?? '') => handlers.get(queue)?.(msg);
  return { consumer, deliver, acked, answering, moved, consumed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RequestConsumer with an action budget', () => {
  it('consumes the credentials queue beside the request queue, and never counts or moves what comes on it', async () => {
    const t = setUp(1);
    await t.consumer.start({ queue: 'q', queueType: 'classic', maxDeliveries: 5 }, 4);
    expect(t.consumed).toEqual(['q', 'q.credentials']);
    t.deliver(action('a1'));
    // Past the budget of one, yet it came on the credentials queue (a register, say): answered at once, never moved.
    t.deliver(action('c1'), 'q.credentials');
    t.deliver(action('c2'), 'q.credentials');
    expect([...t.answering.keys()]).toEqual(['a1', 'c1', 'c2']);
    await sleep(150);
    expect(t.moved).toEqual([]);
  });

  it('moves an action past the budget to the overflow queue when no room frees up, and acks it', async () => {
    const t = setUp(2);
    await t.consumer.start({ queue: 'q', queueType: 'classic', maxDeliveries: 5 }, 4);
    for (const id of ['a1', 'a2', 'a3']) t.deliver(action(id));
    expect([...t.answering.keys()]).toEqual(['a1', 'a2']);
    await sleep(150);
    expect(t.moved).toEqual(['a3']);
    expect(t.acked).toEqual(['a3']);
    expect(t.answering.has('a3')).toBe(false);
    await t.consumer.stop();
  });

  it('answers a parked action itself when a running one finishes in time, and never parks other requests', async () => {
    const t = setUp(1);
    await t.consumer.start({ queue: 'q', queueType: 'classic', maxDeliveries: 5 }, 4);
    t.deliver(action('a1'));
    t.deliver(action('a2'));
    t.deliver(read('r1'));
    expect([...t.answering.keys()]).toEqual(['a1', 'r1']);
    t.answering.get('a1')?.('ack');
    await sleep(10);
    expect(t.answering.has('a2')).toBe(true);
    await sleep(150);
    expect(t.moved).toEqual([]);
    expect(t.acked).toEqual(['a1']);
    await t.consumer.stop();
  });

  it('once room failed to come, moves further actions at once, until a held action ends', async () => {
    const t = setUp(1);
    await t.consumer.start({ queue: 'q', queueType: 'classic', maxDeliveries: 5 }, 8);
    t.deliver(action('a1'));
    t.deliver(action('a2'));
    await sleep(150);
    expect(t.moved).toEqual(['a2']);
    t.deliver(action('a3'));
    await sleep(10);
    expect(t.moved).toEqual(['a2', 'a3']); // no second wait: the held action is slow
    t.answering.get('a1')?.('ack');
    await sleep(10);
    t.deliver(action('a4')); // room again: a4 runs here
    t.deliver(action('a5')); // past the budget again: parked, not moved at once
    await sleep(10);
    expect(t.answering.has('a4')).toBe(true);
    expect(t.moved).toEqual(['a2', 'a3']);
    await t.consumer.stop();
  });

  it('on the overflow queue, answers an action only when a slot is free for it', async () => {
    let free = 1;
    const t = setUp(0, () => free);
    await t.consumer.start({ queue: 'q.actions', queueType: 'classic', maxDeliveries: 5 }, 8);
    for (const id of ['a1', 'a2', 'a3']) t.deliver(action(id));
    expect([...t.answering.keys()]).toEqual(['a1']); // one slot: the others wait, unanswered (nothing claimed)
    await sleep(5);
    free = 2;
    t.consumer.poke();
    expect([...t.answering.keys()]).toEqual(['a1', 'a2', 'a3']);
    expect(t.moved).toEqual([]);
    await t.consumer.stop();
  });

  it('drops its parked actions on stop, so they go back to the queue and are never moved', async () => {
    const t = setUp(1);
    await t.consumer.start({ queue: 'q', queueType: 'classic', maxDeliveries: 5 }, 4);
    t.deliver(action('a1'));
    t.deliver(action('a2'));
    await t.consumer.stop();
    await sleep(150);
    expect(t.moved).toEqual([]);
    expect(t.acked).toEqual([]);
  });
});
