import type { ConsumeMessage } from 'amqplib';
import { createLogger } from '../../src/logger';
import type { ProcessedRequest } from '../../src/rpc/processRequest';
import { Responder, type ResponderOptions } from '../../src/rpc/Responder';

const logger = createLogger('silent', { write: () => undefined });

function delivery(
  correlationId: string | undefined,
  replyTo: string | undefined = 'reply-here',
  redelivered = false,
  extra: { headers?: Record<string, unknown>; content?: Buffer } = {},
): ConsumeMessage {
  return {
    content: extra.content ?? Buffer.from('{}'),
    properties: { correlationId, replyTo, headers: extra.headers },
    fields: { redelivered },
  } as unknown as ConsumeMessage;
}

type Process = ResponderOptions['process'];
type Publish = ResponderOptions['publish'];

function responderWith(process: Process, publish: Publish, extra: Partial<ResponderOptions> = {}): Responder {
  return new Responder({ process, publish, logger, maxRequestBytes: 1024, maxReplyBytes: 1024, maxDeliveries: 3, ...extra });
}

/** A process function whose runs the test finishes by hand. */
function controlledProcess() {
  const runs: Array<(result: ProcessedRequest) => void> = [];
  const process = () => new Promise<ProcessedRequest>((resolve) => runs.push(resolve));
  return { runs, process };
}

describe('Responder', () => {
  it('answers a redelivery of a running request from that run instead of running it again', async () => {
    const { runs, process } = controlledProcess();
    const published: string[] = [];
    const responder = responderWith(process, async (_to, reply) => (published.push(reply.toString()), true));
    const first = responder.answer(delivery('id-1'));
    const again = responder.answer(delivery('id-1', 'reply-here', true));
    expect(runs).toHaveLength(1);
    expect(responder.activeCount).toBe(2);
    runs[0]?.({ reply: Buffer.from('{"success":true}'), malformed: false });
    await expect(first).resolves.toBe('ack');
    await expect(again).resolves.toBe('ack');
    expect(published).toEqual(['{"success":true}', '{"success":true}']);
    expect(responder.activeCount).toBe(0);
  });

  it('gives a request that reuses a running request its correlation id a run of its own, never the other result', async () => {
    const seen: string[] = [];
    const { runs, process } = controlledProcess();
    const published: Array<[string, string]> = [];
    const responder = responderWith(
      (content) => (seen.push(content.toString()), process()),
      async (to, reply) => (published.push([to, reply.toString()]), true),
    );
    const victim = responder.answer(delivery('id-x', 'victim', false, { content: Buffer.from('{"who":"victim"}') }));
    // Same id, another body, first delivery: not a redelivery whatever its id says.
    const thief = responder.answer(delivery('id-x', 'thief', false, { content: Buffer.from('{"who":"thief"}') }));
    // Same id and body, but the broker did not mark it redelivered: a replay by another publisher.
    const replay = responder.answer(delivery('id-x', 'replay', false, { content: Buffer.from('{"who":"victim"}') }));
    expect(seen).toEqual(['{"who":"victim"}', '{"who":"thief"}', '{"who":"victim"}']);
    // A redelivery with another body does not share either.
    void responder.answer(delivery('id-x', 'late', true, { content: Buffer.from('{"who":"other"}') }));
    expect(runs).toHaveLength(4);
    runs[1]?.({ reply: Buffer.from('"thief result"'), malformed: false });
    runs[2]?.({ reply: Buffer.from('"replay result"'), malformed: false });
    await thief;
    await replay;
    runs[0]?.({ reply: Buffer.from('"victim result"'), malformed: false });
    await victim;
    runs[3]?.({ reply: Buffer.from('"other result"'), malformed: false });
    expect(published.slice(0, 3)).toEqual([
      ['thief', '"thief result"'],
      ['replay', '"replay result"'],
      ['victim', '"victim result"'],
    ]);
  });

  it('runs a request again once its first run has finished', async () => {
    const { runs, process } = controlledProcess();
    const responder = responderWith(process, async () => true);
    const first = responder.answer(delivery('id-2'));
    runs[0]?.({ reply: Buffer.from('{}'), malformed: false });
    await first;
    void responder.answer(delivery('id-2'));
    expect(runs).toHaveLength(2);
    runs[1]?.({ reply: Buffer.from('{}'), malformed: false });
  });

  it('rejects a request without a reply address, and an unreadable one after answering it', async () => {
    const { runs, process } = controlledProcess();
    const responder = responderWith(process, async () => true);
    await expect(responder.answer(delivery('id-3', ''))).resolves.toBe('reject');
    expect(runs).toHaveLength(0);
    const unreadable = responder.answer(delivery('id-4'));
    runs[0]?.({ reply: Buffer.from('{"success":false}'), malformed: true });
    await expect(unreadable).resolves.toBe('reject');
  });

  it('requeues a request whose reply could not be sent', async () => {
    const responder = responderWith(
      async () => ({ reply: Buffer.from('{}'), malformed: false }),
      async () => false,
    );
    await expect(responder.answer(delivery('id-5'))).resolves.toBe('requeue');
  });

  it('waitIdle resolves when the last request is answered, or after the grace period', async () => {
    const { runs, process } = controlledProcess();
    const responder = responderWith(process, async () => true);
    void responder.answer(delivery('id-6'));
    let idle = false;
    const waiting = responder.waitIdle(10_000).then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    runs[0]?.({ reply: Buffer.from('{}'), malformed: false });
    await waiting;
    expect(idle).toBe(true);
    void responder.answer(delivery('id-7'));
    const started = Date.now();
    await responder.waitIdle(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    runs[1]?.({ reply: Buffer.from('{}'), malformed: false });
  });

  it('drops a request whose caller stopped waiting, without running it', async () => {
    const { runs, process } = controlledProcess();
    const published: string[] = [];
    const responder = responderWith(process, async (_to, reply) => (published.push(reply.toString()), true));
    const late = delivery('id-8', 'reply-here', false, { headers: { 'x-nango-deadline': Date.now() - 5_000 } });
    await expect(responder.answer(late)).resolves.toBe('ack');
    expect(runs).toHaveLength(0);
    expect(published).toHaveLength(0);
  });

  it('refuses a request over the size limit, and replaces a reply over the limit with an error', async () => {
    const published: Array<Record<string, unknown>> = [];
    const publish: Publish = async (_to, reply) => (
      published.push(JSON.parse(reply.toString()) as Record<string, unknown>),
      true
    );
    const big = responderWith(
      async () => ({ reply: Buffer.from(`{"success":true,"returnValue":"${'x'.repeat(2000)}"}`), malformed: false }),
      publish,
    );
    await expect(big.answer(delivery('id-9', 'r', false, { content: Buffer.alloc(2048, 32) }))).resolves.toBe('reject');
    expect(published[0]).toMatchObject({ success: false, errorCode: 'request_too_large' });
    await expect(big.answer(delivery('id-10'))).resolves.toBe('ack');
    expect(published[1]).toMatchObject({
      success: false,
      errorCode: 'reply_too_large',
      errorMsg: expect.stringContaining('NANGO_MAX_REPLY_BYTES'),
    });
  });

  it('dead-letters a request delivered more than maxDeliveries times, answering its caller', async () => {
    // A poison request kills its worker before it is answered, so each delivery reaches a fresh process (a new
    // Responder here); only the count, kept in SQLite in the worker, survives from one to the next.
    const counts = new Map<string, number>();
    const countDeliveries = async (id: string) => {
      counts.set(id, (counts.get(id) ?? 1) + 1);
      return counts.get(id) as number;
    };
    const published: Array<Record<string, unknown>> = [];
    let ran = 0;
    const settlements = [];
    for (let i = 0; i < 4; i++) {
      const freshWorker = responderWith(
        async () => (ran++, { reply: Buffer.from('{"success":true}'), malformed: false }),
        async (_to, reply) => (published.push(JSON.parse(reply.toString()) as Record<string, unknown>), true),
        { countDeliveries },
      );
      settlements.push(await freshWorker.answer(delivery('poison', 'r', i > 0)));
    }
    expect(settlements).toEqual(['ack', 'ack', 'ack', 'reject']);
    expect(ran).toBe(3);
    expect(published[3]).toMatchObject({
      errorCode: 'request_dead_lettered',
      errorMsg: expect.stringContaining('delivered 4 times'),
    });
  });

  it('still runs a request just past its deadline: the caller clock may be a little ahead', async () => {
    let ran = 0;
    const responder = responderWith(
      async () => (ran++, { reply: Buffer.from('{}'), malformed: false }),
      async () => true,
    );
    const nearly = delivery('id-11', 'r', false, { headers: { 'x-nango-deadline': Date.now() - 500 } });
    await expect(responder.answer(nearly)).resolves.toBe('ack');
    expect(ran).toBe(1);
  });

  it('acks without running a redelivery of a request it already answered (its ack was lost)', async () => {
    let ran = 0;
    const published: string[] = [];
    const responder = responderWith(
      async () => (ran++, { reply: Buffer.from('{"success":true}'), malformed: false }),
      async (_to, reply) => (published.push(reply.toString()), true),
    );
    await expect(responder.answer(delivery('id-12'))).resolves.toBe('ack');
    await expect(responder.answer(delivery('id-12', 'r', true))).resolves.toBe('ack');
    expect(ran).toBe(1);
    expect(published).toHaveLength(1);
    await expect(responder.answer(delivery('id-13', 'r', true))).resolves.toBe('ack');
    expect(ran).toBe(2); // a redelivery it never answered does run
  });
});
