import type { ConsumeMessage } from 'amqplib';
import { createLogger } from '../../src/logger';
import type { ProcessedRequest } from '../../src/rpc/processRequest';
import { Responder } from '../../src/rpc/Responder';

const logger = createLogger('silent', { write: () => undefined });

function delivery(
  correlationId: string | undefined,
  replyTo: string | undefined = 'reply-here',
  redelivered = false,
): ConsumeMessage {
  return {
    content: Buffer.from('{}'),
    properties: { correlationId, replyTo },
    fields: { redelivered },
  } as unknown as ConsumeMessage;
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
    const responder = new Responder(process, async (_to, reply) => (published.push(reply.toString()), true), logger);
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

  it('runs a request again once its first run has finished', async () => {
    const { runs, process } = controlledProcess();
    const responder = new Responder(process, async () => true, logger);
    const first = responder.answer(delivery('id-2'));
    runs[0]?.({ reply: Buffer.from('{}'), malformed: false });
    await first;
    void responder.answer(delivery('id-2'));
    expect(runs).toHaveLength(2);
    runs[1]?.({ reply: Buffer.from('{}'), malformed: false });
  });

  it('rejects a request without a reply address, and an unreadable one after answering it', async () => {
    const { runs, process } = controlledProcess();
    const responder = new Responder(process, async () => true, logger);
    await expect(responder.answer(delivery('id-3', ''))).resolves.toBe('reject');
    expect(runs).toHaveLength(0);
    const unreadable = responder.answer(delivery('id-4'));
    runs[0]?.({ reply: Buffer.from('{"success":false}'), malformed: true });
    await expect(unreadable).resolves.toBe('reject');
  });

  it('requeues a request whose reply could not be sent', async () => {
    const responder = new Responder(
      async () => ({ reply: Buffer.from('{}'), malformed: false }),
      async () => false,
      logger,
    );
    await expect(responder.answer(delivery('id-5'))).resolves.toBe('requeue');
  });

  it('waitIdle resolves when the last request is answered, or after the grace period', async () => {
    const { runs, process } = controlledProcess();
    const responder = new Responder(process, async () => true, logger);
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
});
