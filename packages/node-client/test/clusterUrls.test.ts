import Nango from '@nangohq/node-client';
import { FakeBroker } from './fakeAmqp';
import { tick } from './helpers';

const NODES = ['amqp://u:pw1@rabbit-1', 'amqp://u:pw2@rabbit-2', 'amqp://u:pw3@rabbit-3'];
const ok = { success: true, returnValue: [] };

describe('Nango client: several broker URLs (a cluster)', () => {
  let nango: Nango | undefined;
  afterEach(async () => {
    await nango?.close();
    expect(nango?.pendingCount ?? 0).toBe(0);
    nango = undefined;
  });

  it('dials the URLs in the order given and keeps the first that answers', async () => {
    const broker = new FakeBroker();
    broker.down.add(NODES[0] as string);
    nango = new Nango({ url: NODES, queue: 'q' }, broker.connect);
    await nango.connect();
    expect(broker.connectCalls.map((call) => call.url)).toEqual(NODES.slice(0, 2));
  });

  it('reconnects to the next node when the link drops, and calls sent meanwhile wait for it', async () => {
    const broker = new FakeBroker();
    nango = new Nango({ url: NODES, queue: 'q', requestTimeoutMs: 5_000 }, broker.connect);
    await nango.connect();
    broker.down.add(NODES[0] as string);
    broker.dropConnection();
    const waiting = nango.getConnectionsForUserId('1');
    await new Promise((resolve) => setTimeout(resolve, 150)); // the first reconnect waits its backoff (100 ms)
    expect(broker.connectCalls.map((call) => call.url)).toEqual([NODES[0], NODES[1]]);
    await tick();
    broker.reply(ok);
    await expect(waiting).resolves.toEqual(ok);
    broker.dropConnection(); // the next drop moves on again: rabbit-3, then round to rabbit-1 (down) would follow
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(broker.connectCalls.at(-1)?.url).toBe(NODES[2]);
  });

  it('says which nodes it tried and why, passwords hidden, when none answers', async () => {
    const broker = new FakeBroker();
    for (const url of NODES) broker.down.add(url);
    nango = new Nango({ url: NODES, queue: 'q' }, broker.connect);
    const failure = await nango.connect().catch((error: unknown) => error as Error);
    expect(failure).toMatchObject({
      code: 'connection_failed',
      message: expect.stringMatching(
        /^Could not connect to any of the 3 RabbitMQ nodes: amqp:\/\/u:\*\*\*@rabbit-1 \(.*ECONNREFUSED/,
      ),
    });
    expect((failure as Error).message).not.toMatch(/pw\d/);
  });

  it('refuses an empty list or a bad URL, naming its position and hiding its password', () => {
    expect(() => new Nango({ url: [] })).toThrow('Nango: url must hold at least one amqp:// or amqps:// URL, got []');
    expect(() => new Nango({ url: ['amqp://a', 'http://u:secret@b'] })).toThrow(
      'Nango: url[1] must start with amqp:// or amqps://, got http://u:***@b',
    );
    expect(() => new Nango({ url: 'rabbit-1' })).toThrow('Nango: url must start with amqp:// or amqps://, got rabbit-1');
  });

  it('keeps new Nango(host, port) working', async () => {
    const broker = new FakeBroker();
    const client = new Nango('rabbit-1', 5673);
    expect(() => client.queue).not.toThrow();
    await client.close();
    nango = new Nango({ host: 'rabbit-1', port: 5673 }, broker.connect);
    await nango.connect();
    expect(broker.connectCalls[0]?.url).toBe('amqp://rabbit-1:5673');
  });
});
