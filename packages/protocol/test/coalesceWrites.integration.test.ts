import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { coalesceWrites } from '@nangohq/protocol';

/**
 * coalesceWrites against the real broker and the amqplib the packages install: what one pass of amqplib's writes
 * sends leaves as one system call, the broker gets every message whole and in order, and a model that does not look
 * like amqplib's is left alone. Each test has its own queue and deletes it.
 */
const RABBITMQ_URL = process.env['NANGO_TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const MESSAGES = 20;

interface SocketWrites {
  single: number;
  vectored: number;
}

/** Counts the writes that reach the socket's handle: one `_write` or one `_writev` is one system call. */
function countWrites(model: amqp.ChannelModel): SocketWrites {
  const socket = (model as unknown as { connection: { stream: Record<string, (...args: unknown[]) => unknown> } }).connection
    .stream;
  const counts = { single: 0, vectored: 0 };
  const write = socket['_write']!;
  const writev = socket['_writev']!;
  socket['_write'] = (...args: unknown[]) => {
    counts.single++;
    return write.apply(socket, args);
  };
  socket['_writev'] = (...args: unknown[]) => {
    counts.vectored++;
    return writev.apply(socket, args);
  };
  return counts;
}

/** Publishes MESSAGES messages in one synchronous loop (so one pass of amqplib's muxer), then reads them back. */
async function publishAndReadBack(model: amqp.ChannelModel): Promise<{ writes: SocketWrites; bodies: string[] }> {
  const channel = await model.createChannel();
  const queue = `test.coalesce.${randomUUID()}`;
  try {
    await channel.assertQueue(queue, { durable: false });
    const writes = countWrites(model);
    for (let i = 0; i < MESSAGES; i++) channel.sendToQueue(queue, Buffer.from(`message ${i}`));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the muxer writes on setImmediate
    const counted = { ...writes };
    const bodies: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const message = await channel.get(queue, { noAck: true });
      if (message) bodies.push(message.content.toString());
    }
    return { writes: counted, bodies };
  } finally {
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }
}

describe('coalesceWrites', () => {
  it('sends what one pass of amqplib writes as one system call, every message whole and in order', async () => {
    const plain = await amqp.connect(RABBITMQ_URL);
    const coalesced = await amqp.connect(RABBITMQ_URL);
    try {
      expect(coalesceWrites(coalesced)).toBe(true);
      const before = await publishAndReadBack(plain);
      const after = await publishAndReadBack(coalesced);
      const expected = Array.from({ length: MESSAGES }, (_, i) => `message ${i}`);
      expect(before.bodies).toEqual(expected);
      expect(after.bodies).toEqual(expected);
      // amqplib alone: a write per message. Coalesced: the pass's writes go out together.
      expect(before.writes.single + before.writes.vectored).toBeGreaterThanOrEqual(MESSAGES / 2);
      expect(after.writes.single + after.writes.vectored).toBeLessThanOrEqual(2);
    } finally {
      await plain.close();
      await coalesced.close();
    }
  });

  it('loses nothing written just before its channel closes', async () => {
    const model = await amqp.connect(RABBITMQ_URL);
    coalesceWrites(model);
    const queue = `test.coalesce.${randomUUID()}`;
    const channel = await model.createChannel();
    await channel.assertQueue(queue, { durable: false });
    for (let i = 0; i < MESSAGES; i++) channel.sendToQueue(queue, Buffer.from(`last ${i}`));
    // In the same tick as the publishes. (Closing the connection itself then would drop them with amqplib alone too:
    // the worker and the client close their channels first.)
    await channel.close();
    await model.close();
    const reader = await amqp.connect(RABBITMQ_URL);
    try {
      const readChannel = await reader.createChannel();
      const { messageCount } = await readChannel.checkQueue(queue);
      await readChannel.deleteQueue(queue);
      expect(messageCount).toBe(MESSAGES);
    } finally {
      await reader.close();
    }
  });

  it('leaves alone what does not expose its socket as amqplib does', () => {
    expect(coalesceWrites(undefined)).toBe(false);
    expect(coalesceWrites({})).toBe(false);
    expect(coalesceWrites({ connection: { stream: { write: () => true } } })).toBe(false);
  });
});
