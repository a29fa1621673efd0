import { Nango } from '@nangohq/node-client';
import * as amqp from 'amqplib';
import { deleteQueue, RABBITMQ_URL, sendRaw, startHarness, waitFor, type Harness } from '../helpers/harness';

describe('requests the client would never send', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ yaml: '' });
  });
  afterEach(async () => {
    await h.stop();
  });

  it('answers a body that is not JSON with invalid_message and keeps serving', async () => {
    const reply = await sendRaw(h.queue, Buffer.from('{not json'));
    expect(reply).toEqual({ success: false, errorCode: 'invalid_message', errorMsg: 'The message body is not valid JSON' });
    await expect(h.nango.getConnectionsForUserId('1')).resolves.toEqual({ success: true, returnValue: [] });
  });

  it('answers unknown types and wrong shapes naming the field', async () => {
    expect(await sendRaw(h.queue, Buffer.from('{"type":"dropEverything"}'))).toMatchObject({
      errorCode: 'invalid_message',
      errorMsg: expect.stringContaining('type: must be one of'),
    });
    expect(await sendRaw(h.queue, Buffer.from('{"type":"getConnectionsForUserId","userId":5}'))).toMatchObject({
      errorCode: 'invalid_message',
      errorMsg: expect.stringContaining('userId: must be string'),
    });
  });

  it('answers 4,100 levels of nesting with invalid_message naming the field, not internal_error', async () => {
    const deep = '{"a":'.repeat(4_100) + '1' + '}'.repeat(4_100);
    const bodies: Array<[string, string]> = [
      [
        `{"type":"registerConnection","integration":"x","userId":"1","credentials":{"api_key":"k"},"additionalConfig":${deep}}`,
        'additionalConfig',
      ],
      [`{"type":"registerConnection","integration":"x","userId":"1","credentials":${deep}}`, 'credentials'],
      [`{"type":"setMetadata","integration":"x","userIds":["1"],"metadata":${deep}}`, 'metadata'],
    ];
    for (const [body, field] of bodies) {
      expect(await sendRaw(h.queue, Buffer.from(body))).toEqual({
        success: false,
        errorCode: 'invalid_message',
        errorMsg: expect.stringContaining(`${field}: nests objects or arrays more than 100 levels deep`),
      });
    }
  });

  it('rejects a request with no reply address without requeueing it, and logs it', async () => {
    await sendRaw(h.queue, Buffer.from('{"type":"getConnectionsForUserId","userId":"1"}'), { expectReply: false, waitMs: 50 });
    await waitFor(() => h.logs.some((l) => l.msg === 'request without a reply address rejected'), 3_000, 'the rejection log');
    await expect(h.nango.getConnectionsForUserId('1')).resolves.toMatchObject({ success: true });
    expect(h.worker.inFlightCount).toBe(0);
  });

  it('starts with an empty integrations.yaml, which declares no integrations', async () => {
    await expect(h.nango.triggerAction('slack', 'notify', '1', {})).rejects.toMatchObject({
      code: 'unknown_integration',
      errorMsg: "Unknown integration 'slack': integrations.yaml declares none",
    });
  });

  it('fails fast when no worker has declared the queue', async () => {
    const lonely = new Nango({ url: RABBITMQ_URL, queue: `nango.test.nobody.${Date.now()}`, requestTimeoutMs: 10_000 });
    await lonely.connect();
    const started = Date.now();
    await expect(lonely.getConnectionsForUserId('1')).rejects.toMatchObject({ code: 'unroutable' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await lonely.close();
  });

  it('rejects connect() clearly when the broker cannot be reached', async () => {
    const nowhere = new Nango({ url: 'amqp://guest:guest@127.0.0.1:1', connectTimeoutMs: 2_000 });
    await expect(nowhere.connect()).rejects.toMatchObject({
      code: 'connection_failed',
      errorMsg: expect.stringContaining('Could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:1'),
    });
  });

  it('survives a forged reply address: the request is not redelivered forever, other calls go on', async () => {
    // RabbitMQ closes the connection that publishes to a malformed direct reply-to address.
    const forged = 'amq.rabbitmq.reply-to.g1h2AA5yZXBseUAxNzM1NjQ0NQAAC5gAAAAAX4lxMA==.xyz';
    await sendRaw(h.queue, Buffer.from('{"type":"getConnectionsForUserId","userId":"1"}'), {
      replyTo: forged,
      expectReply: false,
      waitMs: 50,
    });
    await waitFor(
      async () =>
        await h.nango.getConnectionsForUserId('1').then(
          () => true,
          () => false,
        ),
      10_000,
      'the worker to answer again',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      expect((await channel.checkQueue(h.queue)).messageCount).toBe(0);
    } finally {
      await connection.close();
    }
    const requestReconnects = h.logs.filter(
      (l) => l.msg?.includes('lost the broker connection') && l['connection'] === 'requests',
    );
    expect(requestReconnects).toHaveLength(0);
    await expect(h.nango.getConnectionsForUserId('1')).resolves.toMatchObject({ success: true });
  });

  it('declares its queue again and goes on when the queue is deleted under it', async () => {
    await deleteQueue(h.queue);
    await waitFor(
      async () =>
        await h.nango.getConnectionsForUserId('1').then(
          () => true,
          () => false,
        ),
      15_000,
      'the queue to come back',
    );
    expect(h.logs.some((l) => l.msg?.includes('cancelled the request consumer'))).toBe(true);
  });
});
