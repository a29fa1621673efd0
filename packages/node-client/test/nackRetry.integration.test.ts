import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { Nango } from '@nangohq/node-client';
import { startPrivateBroker, type PrivateBroker } from '../../../test/privateBroker';

/**
 * The broker nacks the client's publishes: the request queue is full and refuses more (`x-max-length` 1,
 * `x-overflow: reject-publish`), as a quorum queue between leaders does for a few seconds. The client sends a nacked
 * request again while its deadline leaves time, so the call succeeds once there is room, and fails with
 * `refused_by_broker` when there never is. On a node of the test's own (test/privateBroker.ts); the test plays the
 * worker with amqplib. Each test has its own queue and deletes it.
 */
let broker: PrivateBroker | undefined;
let admin: amqp.ChannelModel | undefined;

beforeAll(async () => {
  broker = await startPrivateBroker();
  admin = await amqp.connect(broker.url);
}, 120_000);

afterAll(async () => {
  await admin?.close();
  await broker?.stop();
}, 60_000);

jest.setTimeout(30_000);

/** A channel on the test's own connection to the private node. */
async function channel(): Promise<amqp.Channel> {
  if (!admin || !broker) throw new Error('beforeAll did not start the broker');
  return admin.createChannel();
}

let queue: string;
let ch: amqp.Channel;
let nango: Nango | undefined;

beforeEach(async () => {
  queue = `nango.test.client-nack.${randomUUID()}`;
  ch = await channel();
  await ch.assertQueue(queue, { durable: false, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
  ch.sendToQueue(queue, Buffer.from('filler')); // the queue is full from now on
  await waitFor(async () => (await ch.checkQueue(queue)).messageCount === 1);
});

afterEach(async () => {
  await nango?.close();
  expect(nango?.pendingCount ?? 0).toBe(0);
  nango = undefined;
  await ch.deleteQueue(queue);
  await ch.close();
});

async function client(requestTimeoutMs: number): Promise<Nango> {
  if (!broker) throw new Error('beforeAll did not start the broker');
  nango = new Nango({ url: broker.url, queue, requestTimeoutMs });
  await nango.connect();
  return nango;
}

describe('Nango client against RabbitMQ: publishes the broker nacks', () => {
  it('are sent again until there is room, and the call succeeds', async () => {
    const nango = await client(15_000);
    const call = nango.getConnectionsForUserId('1');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Still refused: only the filler is in the queue, and the call waits.
    expect((await ch.checkQueue(queue)).messageCount).toBe(1);
    expect(nango.pendingCount).toBe(1);

    const filler = await ch.get(queue, { noAck: false });
    expect(filler && filler.content.toString()).toBe('filler');
    if (filler) ch.ack(filler);
    // Play the worker: the request arrives once there is room; answer it.
    let request: amqp.GetMessage | false = false;
    await waitFor(async () => (request = await ch.get(queue, { noAck: false })) !== false);
    const got = request as unknown as amqp.GetMessage;
    expect(JSON.parse(got.content.toString())).toMatchObject({ type: 'getConnectionsForUserId', userId: '1' });
    const reply = Buffer.from(JSON.stringify({ success: true, returnValue: [] }));
    ch.sendToQueue(got.properties.replyTo as string, reply, { correlationId: got.properties.correlationId as string });
    ch.ack(got);
    await expect(call).resolves.toEqual({ success: true, returnValue: [] });
    expect((await ch.checkQueue(queue)).messageCount).toBe(0); // sent once it was taken: no copy left behind
  });

  it('fail with refused_by_broker when the deadline passes without room', async () => {
    const nango = await client(2_000);
    const startedAt = Date.now();
    await expect(nango.getConnectionsForUserId('1')).rejects.toMatchObject({
      code: 'refused_by_broker',
      retryable: true,
      errorMsg: expect.stringContaining("times until the call's deadline"),
    });
    const took = Date.now() - startedAt;
    expect(took).toBeGreaterThan(1_800); // sent again until close to its deadline, not refused at the first nack
    expect(took).toBeLessThan(4_000);
    expect((await ch.checkQueue(queue)).messageCount).toBe(1);
  });
});

/** Polls `done` every 50 ms; fails after 10 s. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (const until = Date.now() + 10_000; !(await done());) {
    if (Date.now() > until) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
