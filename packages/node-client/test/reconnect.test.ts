import Nango, { type NangoClientOptions } from '@nangohq/node-client';
import { FakeBroker } from './fakeAmqp';
import { connected, tick } from './helpers';

/** Fake timers drive the backoff; setImmediate stays real so that tick() lets the client publish. */
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);
const ok = { success: true, returnValue: [] };
const refused = () => new Error('connect ECONNREFUSED 127.0.0.1:5672');

let nango: Nango;
let broker: FakeBroker;

beforeEach(async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  jest.spyOn(Math, 'random').mockReturnValue(0); // no jitter: each wait is exactly its backoff step
  ({ nango, broker } = await connected({ requestTimeoutMs: 10_000 }));
});

// Every test must leave nothing behind: no pending call, no open socket, no timer that would keep a process alive.
afterEach(async () => {
  await nango.close();
  expect(nango.pendingCount).toBe(0);
  expect(broker.closed).toBe(true);
  expect(jest.getTimerCount()).toBe(0);
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('Nango client: reconnecting after the broker drops the link', () => {
  it('says it is not connected from the drop until the link is made again, nor after close()', async () => {
    expect(nango.connected).toBe(true);
    broker.failConnect = refused();
    broker.dropConnection();
    expect(nango.connected).toBe(false);
    await advance(100);
    expect(nango.connected).toBe(false); // the first attempt was refused
    broker.failConnect = undefined;
    await advance(5_000);
    expect(broker.connectCalls.length).toBeGreaterThanOrEqual(3);
    expect(nango.connected).toBe(true);
    await nango.close();
    expect(nango.connected).toBe(false);
  });

  it('fails calls in flight at once with connection_lost, then reconnects by itself', async () => {
    const inFlight = nango.getConnectionsForUserId('1');
    await tick();
    broker.dropConnection();
    await expect(inFlight).rejects.toMatchObject({ code: 'connection_lost', retryable: true });
    broker.reply(ok, 0); // its reply can never come back on the dead channel
    expect(broker.connectCalls).toHaveLength(1);
    await advance(100);
    expect(broker.connectCalls).toHaveLength(2);
    const after = nango.getConnectionsForUserId('2');
    await tick();
    expect(broker.request().channel).toBe(broker.connections[1]?.channel);
    broker.reply(ok);
    await expect(after).resolves.toEqual(ok);
  });

  it('makes calls during reconnection wait, then sends them with the time they have left', async () => {
    broker.dropConnection();
    await expect(nango.connect()).resolves.toBeUndefined(); // no need to call it: calls wait by themselves
    const waiting = nango.getConnectionsForUserId('1');
    await tick();
    expect(broker.published).toHaveLength(0);
    expect(nango.pendingCount).toBe(1);
    await advance(100);
    expect(broker.published).toHaveLength(1);
    const { options } = broker.request();
    expect(options.expiration).toBe('9900');
    expect(options.headers?.['x-nango-deadline']).toBe(Date.now() + 9_900);
    broker.reply(ok);
    await expect(waiting).resolves.toEqual(ok);
  });

  it('times out a waiting call that the link does not come back for, saying it was not sent and why', async () => {
    broker.failConnect = refused();
    broker.dropConnection();
    const waiting = nango.getConnectionsForUserId('1', { timeoutMs: 1_000 }).catch((e: unknown) => e);
    await advance(1_000);
    expect(await waiting).toMatchObject({
      code: 'timeout',
      errorMsg: expect.stringMatching(/was not sent: .* within 1000 ms \(last attempt: .*ECONNREFUSED/),
    });
    expect(broker.published).toHaveLength(0);
  });

  it('reconnects once for one failure, however many error and close events it raises', async () => {
    broker.dropConnection(); // connection 'error', channel 'close', connection 'close'
    broker.connections[0]?.emit('close', new Error('a late duplicate'));
    await advance(100);
    broker.connections[0]?.emit('close', new Error('late, after the new link is up'));
    await advance(20_000);
    expect(broker.connectCalls).toHaveLength(2);
    const call = nango.getConnectionsForUserId('1');
    await tick();
    broker.reply(ok);
    await expect(call).resolves.toEqual(ok);
  });

  it('closes the socket left behind when only the channel closes, and reconnects', async () => {
    const inFlight = nango.getConnectionsForUserId('1');
    await tick();
    broker.closeChannel();
    await expect(inFlight).rejects.toMatchObject({ code: 'connection_lost' });
    expect(broker.connections[0]?.closed).toBe(true);
    await advance(100);
    expect(broker.connectCalls).toHaveLength(2);
  });

  it('treats a cancelled reply consumer as a lost link', async () => {
    broker.channel.replyConsumer?.(null);
    await advance(100);
    expect(broker.connections[0]?.closed).toBe(true);
    expect(broker.connectCalls).toHaveLength(2);
  });

  it('backs off exponentially up to maxDelayMs, never gives up, and sends waiting calls once back', async () => {
    broker.failConnect = refused();
    broker.dropConnection();
    const waiting = nango.getConnectionsForUserId('1', { timeoutMs: 60_000 });
    await advance(21_300);
    const at = broker.connectCalls.map((call) => call.at);
    const waits = at.slice(1).map((time, i) => time - (at[i] ?? 0));
    expect(waits).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    broker.failConnect = undefined;
    await advance(5_000);
    await tick();
    broker.reply(ok);
    await expect(waiting).resolves.toEqual(ok);
  });

  it('fails an attempt whose link dies while it opens, and tries again', async () => {
    const release = broker.hold('consume');
    broker.dropConnection();
    await advance(100);
    broker.connection.dropByBroker();
    release();
    await tick(); // the attempt fails and schedules the next one, 200 ms away
    await advance(200);
    expect(broker.connectCalls).toHaveLength(3);
    const call = nango.getConnectionsForUserId('1');
    await tick();
    expect(broker.request().channel).toBe(broker.connections[2]?.channel);
    broker.reply(ok);
    await expect(call).resolves.toEqual(ok);
  });
});

describe('Nango client: close() while reconnecting', () => {
  it('stops reconnecting, rejects waiting calls with client_closed and leaves no timer', async () => {
    broker.failConnect = refused();
    broker.dropConnection();
    const waiting = nango.getConnectionsForUserId('1');
    await advance(150); // one failed attempt; the next is 200 ms away
    await nango.close();
    await expect(waiting).rejects.toMatchObject({ code: 'client_closed' });
    expect(jest.getTimerCount()).toBe(0);
    await advance(60_000);
    expect(broker.connectCalls).toHaveLength(2);
  });

  it('closes the socket that an attempt in progress opens afterwards', async () => {
    const release = broker.hold('connect');
    broker.dropConnection();
    await advance(100);
    expect(broker.connectCalls).toHaveLength(2);
    await nango.close();
    release();
    await tick();
    expect(broker.connections).toHaveLength(2);
    expect(broker.closed).toBe(true);
  });
});

describe('Nango client: connect() retries', () => {
  /** Replaces the client of beforeEach with one whose broker is down; returns its connect() outcome. */
  async function connectToDownBroker(options: NangoClientOptions): Promise<unknown> {
    await nango.close();
    broker = new FakeBroker();
    broker.failConnect = refused();
    nango = new Nango({ queue: 'q', ...options }, broker.connect);
    return nango.connect().catch((e: unknown) => e);
  }

  it('retries connectRetries times with backoff, then rejects with connection_failed', async () => {
    const connecting = connectToDownBroker({ connectRetries: 2 });
    await advance(300);
    expect(await connecting).toMatchObject({ code: 'connection_failed', errorMsg: expect.stringContaining('ECONNREFUSED') });
    const first = broker.connectCalls[0]?.at ?? 0;
    expect(broker.connectCalls.map((call) => call.at - first)).toEqual([0, 100, 300]);
  });

  it('succeeds when the broker comes up during the retries', async () => {
    const connecting = connectToDownBroker({ connectRetries: 5 });
    await advance(150);
    broker.failConnect = undefined;
    await advance(200);
    expect(await connecting).toBeUndefined();
    expect(broker.connectCalls).toHaveLength(3);
  });

  it('rejects with client_closed when close() runs during a retry wait, leaving no timer', async () => {
    const connecting = connectToDownBroker({ connectRetries: 5 });
    await advance(50);
    await nango.close();
    expect(await connecting).toMatchObject({ code: 'client_closed' });
    expect(jest.getTimerCount()).toBe(0);
    expect(broker.connectCalls).toHaveLength(1);
  });
});
