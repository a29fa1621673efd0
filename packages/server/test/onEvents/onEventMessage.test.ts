import { createLogger } from '@nangohq/server';
import { OnEventPublisher } from '../../src/onEvents/OnEventPublisher';
import { decodeOnEventRun, encodeOnEventRun } from '../../src/onEvents/onEventMessage';

describe('an on-event run as a queue message', () => {
  it('round-trips, parent operation included', () => {
    const run = { event: 'post-connection-creation', integration: 'hooked', userId: 'ann', parentId: '01ABC' } as const;
    expect(decodeOnEventRun(encodeOnEventRun(run))).toEqual(run);
    const withoutParent = { event: run.event, integration: run.integration, userId: run.userId };
    expect(decodeOnEventRun(encodeOnEventRun(withoutParent))).toEqual(withoutParent);
  });

  it.each([
    ['{', 'not JSON'],
    ['[1]', 'event is not one of post-connection-creation, pre-connection-deletion, validate-connection'],
    ['null', 'not an object'],
    ['{"event":"on-boot","integration":"a","userId":"b"}', 'event is not one of'],
    ['{"event":"post-connection-creation","integration":"","userId":"b"}', 'integration is not a non-empty string'],
    ['{"event":"post-connection-creation","integration":"a","userId":7}', 'userId is not a non-empty string'],
    ['{"event":"post-connection-creation","integration":"a","userId":"b","parentId":1}', 'parentId is not a string'],
  ])('names what is wrong with %s', (body, reason) => {
    expect(decodeOnEventRun(Buffer.from(body))).toContain(reason);
  });
});

describe('the on-event publisher', () => {
  it('answers false (the caller runs the functions itself) when the broker cannot be reached', async () => {
    // Port 1 on loopback: nothing listens, so every connection attempt is refused at once.
    const publisher = new OnEventPublisher({
      rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:1',
      queue: 'nango.test.unreachable',
      queueType: 'classic',
      logger: createLogger('silent'),
    });
    publisher.start();
    try {
      const queued = await publisher.enqueue({ event: 'post-connection-creation', integration: 'a', userId: 'b' });
      expect(queued).toBe(false);
    } finally {
      await publisher.close();
    }
    expect(await publisher.enqueue({ event: 'post-connection-creation', integration: 'a', userId: 'b' })).toBe(false);
  });
});
