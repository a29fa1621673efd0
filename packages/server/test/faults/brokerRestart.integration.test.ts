import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { deleteQueue, RABBITMQ_URL, waitFor } from '../helpers/harness';
import { ensureBrokerRunning, FaultRig, messageCount, rabbitmqctl, reportFigures } from './faultHarness';

// Requests wait in the durable queue while no worker consumes; the broker application restarts; a worker started
// afterwards must run each of them once. Direct reply-to does not outlive a restart, so the requests name a
// durable reply queue of the test's own, and the side effects are counted too. The same restart is ridden through
// by a second, running worker and its connected client, which must serve calls again without a connect() call.
//
// stop_app stops the whole broker, not just this test's queues: whatever else uses it sees its connections drop
// for the few seconds the restart takes. The afterAll starts it again whatever happened.
const REQUESTS = 10;

describe('fault: broker restart with requests queued', () => {
  let rig: FaultRig;
  let live: FaultRig;
  const replyQueue = `nango.test.fault.replies.${randomUUID()}`;

  beforeAll(async () => {
    rig = await FaultRig.start();
    live = await FaultRig.start();
  });

  afterAll(async () => {
    try {
      await ensureBrokerRunning();
      await deleteQueue(replyQueue);
    } finally {
      await rig.close();
      await live.close();
    }
  }, 90_000);

  it(`processes ${REQUESTS} requests queued before stop_app; a running worker and client serve calls again`, async () => {
    const liveWorker = await live.startWorker();
    const liveClient = await live.client({ requestTimeoutMs: 5_000 });
    await liveClient.registerConnection('fault', 'u1', { api_key: 'k' });

    const first = await rig.startWorker(); // declares the queue as workers do
    const nango = await rig.client();
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });
    await nango.close();
    expect(await first.stop('SIGTERM')).toBe(0);

    const ids = Array.from({ length: REQUESTS }, (_, i) => `restart-${i}`);
    await publishPersistent(rig.queue, replyQueue, ids);

    await rabbitmqctl(['stop_app'], 60_000);
    await ensureBrokerRunning(); // start_app, then wait for logins; also run by afterAll should this throw
    const backAt = Date.now();

    expect(await messageCount(rig.url, rig.queue)).toBe(REQUESTS);
    const second = await rig.startWorker();
    await waitFor(() => ids.every((id) => rig.hits(id) >= 1), 15_000, 'every queued request to run');
    const replies = await takeReplies(replyQueue, REQUESTS);
    expect(second.running).toBe(true);
    expect(ids.map((id) => [id, rig.hits(id)])).toEqual(ids.map((id) => [id, 1]));
    expect(replies.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [...ids].sort().map((id) => ({ id, reply: { success: true, returnValue: { id, pid: second.pid } } })),
    );
    expect(await messageCount(rig.url, rig.queue)).toBe(0);

    const served = () =>
      liveClient.triggerAction('fault', 'echo', 'u1', { after: 'restart' }).then(
        () => true,
        () => false,
      );
    await waitFor(served, 20_000, 'the running worker and its client to serve a call after the restart');
    const sideEffects = ids.map((id) => rig.hits(id));
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
async function publishPersistent(queue: string, replyQueue: string, ids: string[]): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
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
async function takeReplies(queue: string, count: number): Promise<Array<{ id: string; reply: unknown }>> {
  const connection = await amqp.connect(RABBITMQ_URL);
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
