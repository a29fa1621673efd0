import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { Nango } from '@nangohq/node-client';
import { startPrivateBroker, type PrivateBroker } from '../../../test/privateBroker';

/**
 * The client against a real RabbitMQ, with the broker closing the client's connection (`rabbitmqctl
 * close_connection`, as an operator or a broker restart would). The broker is a node of the test's own (see
 * test/privateBroker.ts), so nothing is cut on the machine's broker. A tiny amqplib responder stands in for the
 * worker. Each test uses its own queue and connection name and leaves no queue, connection or timer behind.
 */
let broker: PrivateBroker | undefined;

beforeAll(async () => {
  broker = await startPrivateBroker();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
}, 60_000);

/** The private node; beforeAll has started it. */
function node(): PrivateBroker {
  if (!broker) throw new Error('beforeAll did not start the broker');
  return broker;
}

jest.setTimeout(30_000);

/** Requests for this user id are received and never answered, so that a call stays in flight. */
const UNANSWERED = 'never-answered';

interface Responder {
  /** Resolves with each request body as it arrives. */
  received: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Consumes `queue` and answers every request with `{ success: true, returnValue: 'pong' }`. */
async function startResponder(queue: string): Promise<Responder> {
  const connection = await amqp.connect(node().url, { clientProperties: { connection_name: `${queue} responder` } });
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: false });
  const received: Array<Record<string, unknown>> = [];
  await channel.consume(queue, (msg) => {
    if (!msg) return;
    const body = JSON.parse(msg.content.toString()) as Record<string, unknown>;
    received.push(body);
    if (body['userId'] !== UNANSWERED) {
      const reply = Buffer.from(JSON.stringify({ success: true, returnValue: 'pong' }));
      channel.sendToQueue(msg.properties.replyTo as string, reply, { correlationId: msg.properties.correlationId as string });
    }
    channel.ack(msg);
  });
  return {
    received,
    async stop() {
      await channel.deleteQueue(queue);
      await connection.close();
    },
  };
}

function rabbitmqctl(args: string[]): Promise<string> {
  return node().ctl(['-q', ...args], 15_000);
}

/** The broker-side ids of the connections named `name` (the listing is tab-separated: pid, client properties). */
async function connectionPids(name: string): Promise<string[]> {
  const listing = await rabbitmqctl(['list_connections', 'pid', 'client_properties']);
  return listing
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${name}"}`))
    .map((line) => line.split('\t')[0] ?? '');
}

/** Polls `check` until it returns a value, for at most `ms`; the broker's listings lag a little behind. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const single = (pids: string[]) => (pids.length === 1 ? pids[0] : undefined);

let queue: string;
let connectionName: string;
let responder: Responder;
let nango: Nango;

beforeEach(async () => {
  queue = `nango.test.client-reconnect.${randomUUID()}`;
  connectionName = `nango-node-client ${queue}`;
  responder = await startResponder(queue);
  nango = new Nango({
    url: node().url,
    queue,
    connectionName,
    requestTimeoutMs: 10_000,
    reconnect: { initialDelayMs: 300, maxDelayMs: 1_000 },
  });
  await nango.connect();
});

afterEach(async () => {
  await nango.close();
  await responder.stop();
  expect(nango.pendingCount).toBe(0);
  await waitFor('the client connection to be gone', async () =>
    (await connectionPids(connectionName)).length === 0 ? true : undefined,
  );
});

describe('Nango client against RabbitMQ: the broker closes its connection', () => {
  it('reconnects by itself: a call made afterwards succeeds without connect()', async () => {
    await expect(nango.getConnectionsForUserId('1')).resolves.toEqual({ success: true, returnValue: 'pong' });
    const before = await waitFor('the client connection', async () => single(await connectionPids(connectionName)));
    await rabbitmqctl(['close_connection', before, 'nango fault test']);
    const after = await waitFor('the client to reconnect', async () => {
      const pid = single(await connectionPids(connectionName));
      return pid !== before ? pid : undefined;
    });
    expect(after).not.toBe(before);
    await expect(nango.getConnectionsForUserId('2')).resolves.toEqual({ success: true, returnValue: 'pong' });
  });

  it('fails the call in flight fast with connection_lost, and a call made while reconnecting waits and succeeds', async () => {
    const pid = await waitFor('the client connection', async () => single(await connectionPids(connectionName)));
    const inFlight = nango.getConnectionsForUserId(UNANSWERED).catch((e: unknown) => e);
    await waitFor('the responder to receive the request', async () => (responder.received.length > 0 ? true : undefined));
    const closedAt = Date.now();
    await rabbitmqctl(['close_connection', pid, 'nango fault test']);
    expect(await inFlight).toMatchObject({ code: 'connection_lost', retryable: true });
    expect(Date.now() - closedAt).toBeLessThan(5_000); // well before its 10 s timeout
    // The client has seen the drop (the call above failed) and waits at least 240 ms before reconnecting.
    await expect(nango.triggerAction('slack', 'notify', 1, { msg: 'hi' })).resolves.toEqual({
      success: true,
      returnValue: 'pong',
    });
    expect(await connectionPids(connectionName)).not.toContain(pid);
  });
});
