import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { waitFor } from '../helpers/harness';
import { startPrivateBroker, type PrivateBroker } from '../../../../test/privateBroker';
import { FaultRig, messageCount, reportFigures } from './faultHarness';

// Requests wait in the durable queue while no worker consumes; the broker application restarts; a worker started
// afterwards must run each of them once. Direct reply-to does not outlive a restart, so the requests name a
// durable reply queue of the test's own, and the side effects are counted too. The same restart is ridden through
// by a second, running worker and its connected client, which must serve calls again without a connect() call.
//
// stop_app stops the whole broker, so the test runs on a RabbitMQ node of its own (own name, ports and data
// folder), never on the machine's broker; the afterAll stops that node and deletes its folder whatever happened.
const REQUESTS = 10;

describe('fault: broker restart with requests queued', () => {
  let broker: PrivateBroker | undefined;
  let rig: FaultRig | undefined;
  let live: FaultRig | undefined;
  const replyQueue = `nango.test.fault.replies.${randomUUID()}`;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    rig = await FaultRig.start({ broker });
    live = await FaultRig.start({ broker });
  }, 120_000);

  afterAll(async () => {
    try {
      await broker?.ctl(['start_app'], 60_000).catch(() => undefined); // the rigs delete their queues on it
      await rig?.close();
      await live?.close();
    } finally {
      await broker?.stop();
    }
  }, 120_000);

  it(`processes ${REQUESTS} requests queued before stop_app; a running worker and client serve calls again`, async () => {
    const [node, queued, running] = [broker, rig, live];
    if (!node || !queued || !running) throw new Error('beforeAll did not finish');
    const liveWorker = await running.startWorker();
    const liveClient = await running.client({ requestTimeoutMs: 5_000 });
    await liveClient.registerConnection('fault', 'u1', { api_key: 'k' });

    const first = await queued.startWorker(); // declares the queue as workers do
    const nango = await queued.client();
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });
    await nango.close();
    expect(await first.stop('SIGTERM')).toBe(0);

    const ids = Array.from({ length: REQUESTS }, (_, i) => `restart-${i}`);
    await publishPersistent(node.url, queued.queue, replyQueue, ids);

    await node.ctl(['stop_app'], 60_000);
    await node.ctl(['start_app'], 60_000); // also run by afterAll should anything here throw
    await node.waitUntilReady();
    const backAt = Date.now();

    expect(await messageCount(queued.url, queued.queue)).toBe(REQUESTS);
    const second = await queued.startWorker();
    await waitFor(() => ids.every((id) => queued.hits(id) >= 1), 15_000, 'every queued request to run');
    const replies = await takeReplies(node.url, replyQueue, REQUESTS);
    expect(second.running).toBe(true);
    expect(ids.map((id) => [id, queued.hits(id)])).toEqual(ids.map((id) => [id, 1]));
    expect(replies.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [...ids]
        .sort()
        .map((id) => ({ id, reply: { success: true, returnValue: { id, pid: second.pid }, operationId: expect.any(String) } })),
    );
    expect(await messageCount(queued.url, queued.queue)).toBe(0);

    const served = () =>
      liveClient.triggerAction('fault', 'echo', 'u1', { after: 'restart' }).then(
        () => true,
        () => false,
      );
    await waitFor(served, 20_000, 'the running worker and its client to serve a call after the restart');
    const sideEffects = ids.map((id) => queued.hits(id));
    reportFigures('broker restart', {
      queued: REQUESTS,
      sideEffects,
      replies: replies.length,
      liveServedAfterMs: Date.now() - backAt,
    });
    expect(liveWorker.running).toBe(true);
  }, 90_000);
});

/** Publishes one triggerAction per id, persistent, with publisher confirms, replies going to `replyQueue`. */
async function publishPersistent(url: string, queue: string, replyQueue: string, ids: string[]): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(replyQueue, { durable: true });
    for (const id of ids) {
      const body = { type: 'triggerAction', integration: 'fault', action: 'hit', userId: 'u1', input: { id } };
      channel.publish('', queue, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        correlationId: id,
        replyTo: replyQueue,
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Reads `count` replies from a durable reply queue (waiting up to 10 s), keyed by their correlation id. */
async function takeReplies(url: string, queue: string, count: number): Promise<Array<{ id: string; reply: unknown }>> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const replies: Array<{ id: string; reply: unknown }> = [];
    await channel.consume(
      queue,
      (msg) => {
        if (!msg) return;
        replies.push({ id: String(msg.properties.correlationId), reply: JSON.parse(msg.content.toString()) as unknown });
      },
      { noAck: true },
    );
    await waitFor(() => replies.length >= count, 10_000, `${count} replies on ${queue}`);
    return replies;
  } finally {
    await connection.close();
  }
}
