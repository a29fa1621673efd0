import { createServer, type Server } from 'node:net';
import { ERROR_CODES } from '@nangohq/protocol';
import { ActionDispatcher } from '../../src/api/ActionDispatcher';
import { WorkerError } from '../../src/errors';
import { createLogger } from '../../src/logger';

/**
 * Before the HTTP API first reaches the broker, an action call fails with a code callers retry: the broker is
 * on its way, and the caller did nothing wrong (`not_connected` is a client used before connect(), never retried).
 */
describe('ActionDispatcher before the broker is reached', () => {
  let refuser: Server;
  let port: number;

  beforeAll(async () => {
    // A port that accepts TCP and closes it at once: an AMQP login that never succeeds.
    refuser = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    port = (refuser.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => refuser.close(resolve));
  });

  it('answers connection_failed, which is retryable, saying the broker is not reached yet', async () => {
    const dispatcher = new ActionDispatcher({
      rabbitmqUrl: `amqp://127.0.0.1:${port}`,
      queue: 'nango.test.never-declared',
      queueType: 'classic',
      logger: createLogger('silent'),
    });
    dispatcher.start();
    try {
      const call = { integration: 'hub', userId: 'u1', action: 'noop', input: {}, timeoutMs: 1_000 };
      const error = (await dispatcher.trigger(call).catch((e: unknown) => e)) as WorkerError;
      expect(error).toBeInstanceOf(WorkerError);
      expect(error.code).toBe('connection_failed');
      expect(error.message).toContain('has not reached the broker');
      expect(ERROR_CODES.connection_failed.retryable).toBe(true);
    } finally {
      await dispatcher.close();
    }
  }, 20_000);
});
