import Nango, { NangoError, Nango as NamedNango } from '@nangohq/node-client';
import { FakeBroker } from './fakeAmqp';
import { connected, tick } from './helpers';

describe('Nango client (fake broker)', () => {
  it('has a default and a named export that are the same class', () => {
    expect(NamedNango).toBe(Nango);
  });

  it('connects to localhost:5672 by default, with noDelay', async () => {
    const broker = new FakeBroker();
    const nango = new Nango({}, broker.connect);
    await nango.connect();
    expect(broker.connectCalls[0]?.url).toBe('amqp://localhost:5672');
    expect(broker.connectCalls[0]?.socketOptions).toMatchObject({ noDelay: true });
    await nango.close();
  });

  it('publishes a persistent, mandatory request with a correlation id and resolves with the reply', async () => {
    const { nango, broker } = await connected();
    const call = nango.triggerAction('slack', 'notify', 1, { msg: 'hi' });
    await tick();
    const request = broker.published[0];
    expect(request).toMatchObject({
      exchange: '',
      routingKey: 'q',
      body: { type: 'triggerAction', integration: 'slack', action: 'notify', userId: '1', input: { msg: 'hi' } },
      options: { replyTo: 'amq.rabbitmq.reply-to', persistent: true, mandatory: true, contentType: 'application/json' },
    });
    expect(request?.options.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    broker.reply({ success: true, returnValue: { posted: true } });
    await expect(call).resolves.toEqual({ success: true, returnValue: { posted: true } });
    await nango.close();
  });

  it('publishes credential-bearing requests non-persistent to the credentials queue, which has no dead-letter queue', async () => {
    const { nango, broker } = await connected();
    const calls = [
      nango.registerConnection('slack', '1', { access_token: 't', refresh_token: 'r' }),
      nango.updateConnectionCredentials('slack', '1', { access_token: 't2' }),
      nango.updateConnectionConfig('slack', '1', { team: 'a' }),
    ];
    await tick();
    expect(broker.published.map((p) => [p.routingKey, p.options.persistent])).toEqual([
      ['q.credentials', false],
      ['q.credentials', false],
      ['q', true],
    ]);
    for (let i = 0; i < calls.length; i++) broker.reply({ success: true }, i);
    await Promise.all(calls);
    await nango.close();
  });

  it('rejects with a NangoError carrying the reply code and message', async () => {
    const { nango, broker } = await connected();
    const call = nango.registerConnection('slack', '1', { access_token: 't' });
    await tick();
    broker.reply({ success: false, errorCode: 'connection_exists', errorMsg: 'already there' });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NangoError);
    expect(error).toMatchObject({ success: false, errorMsg: 'already there', code: 'connection_exists', retryable: false });
    await nango.close();
  });

  it('drops late and unknown replies without disturbing other calls', async () => {
    const { nango, broker } = await connected();
    const call = nango.getConnectionsForUserId('u');
    await tick();
    broker.deliver('not-a-pending-id', Buffer.from('{"success":true}'));
    broker.deliver(undefined, Buffer.from('{"success":true}'));
    broker.reply({ success: true, returnValue: [] });
    await expect(call).resolves.toEqual({ success: true, returnValue: [] });
    await nango.close();
  });

  it('times out per client and per call, and drops the reply that comes afterwards', async () => {
    const { nango, broker } = await connected({ requestTimeoutMs: 40 });
    const byClient = nango.getConnectionsForIntegration('slack');
    const byCall = nango.getConnectionsForIntegration('slack', { timeoutMs: 10 });
    await expect(byCall).rejects.toMatchObject({ code: 'timeout', retryable: true });
    await expect(byClient).rejects.toMatchObject({ code: 'timeout' });
    expect(() => broker.reply({ success: true, returnValue: [] }, 0)).not.toThrow();
    await nango.close();
  });

  it('rejects at once before connect() and after close()', async () => {
    const broker = new FakeBroker();
    const nango = new Nango({ queue: 'q' }, broker.connect);
    await expect(nango.getConnectionsForUserId('1')).rejects.toMatchObject({ code: 'not_connected' });
    await nango.connect();
    await nango.close();
    await expect(nango.getConnectionsForUserId('1')).rejects.toMatchObject({ code: 'client_closed' });
    await expect(nango.connect()).rejects.toMatchObject({ code: 'client_closed' });
    expect(broker.published).toHaveLength(0);
  });

  it('close() rejects every pending call and closes the connection', async () => {
    const { nango, broker } = await connected();
    const calls = [nango.getConnectionsForUserId('1'), nango.triggerAction('a', 'b', 'c', {})];
    await tick();
    await nango.close();
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'client_closed' });
    expect(broker.closed).toBe(true);
    await expect(nango.close()).resolves.toBeUndefined();
  });

  it('rejects an unroutable request at once', async () => {
    const { nango, broker } = await connected();
    const call = nango.getConnectionsForUserId('1');
    await tick();
    broker.returnLatest();
    await expect(call).rejects.toMatchObject({ code: 'unroutable', errorMsg: expect.stringContaining("'q'") });
    await nango.close();
  });

  it('reports an unreachable broker with the URL, never its password', async () => {
    const broker = new FakeBroker();
    broker.failConnect = new Error('connect ECONNREFUSED 127.0.0.1:5999');
    const nango = new Nango({ url: 'amqp://app:s3cret@127.0.0.1:5999' }, broker.connect);
    const error = (await nango.connect().catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('connection_failed');
    expect(error.errorMsg).toContain('amqp://app:***@127.0.0.1:5999');
    expect(error.errorMsg).toContain('ECONNREFUSED');
    expect(error.errorMsg).not.toContain('s3cret');
  });

  it('refuses arguments it cannot send, naming them', async () => {
    const { nango, broker } = await connected();
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    await expect(nango.updateConnectionConfig('slack', '1', circular)).rejects.toMatchObject({
      code: 'invalid_argument',
      errorMsg: expect.stringContaining('additionalConfig must be JSON-serialisable'),
    });
    await expect(nango.getConnectionsForUserId({} as unknown as string)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(nango.getConnectionsForUserId('1', { timeoutMs: -1 })).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(broker.published).toHaveLength(0);
    await nango.close();
  });

  // JSON.stringify would drop these silently or change them: the worker would never see what the app sent.
  it.each<[string, (nango: Nango) => Promise<unknown>, string]>([
    [
      'a function in additionalConfig',
      (n) => n.registerConnection('slack', '1', { access_token: 't' }, { channelId: 'C1', onPost: () => 1 }),
      'additionalConfig must be JSON-serialisable: additionalConfig.onPost is a function, which JSON cannot carry',
    ],
    [
      'an undefined value nested in additionalConfig',
      (n) => n.updateConnectionConfig('slack', '1', { a: { b: [1, { c: undefined }] } }),
      'additionalConfig must be JSON-serialisable: additionalConfig.a.b[1].c is undefined, which JSON cannot carry',
    ],
    [
      'undefined in an input array',
      (n) => n.triggerAction('slack', 'notify', '1', { ids: [1, undefined] }),
      'input must be JSON-serialisable: input.ids[1] is undefined, which JSON cannot carry',
    ],
    [
      'a function in input, under a key that is not an identifier',
      (n) => n.triggerAction('slack', 'notify', '1', { 'on-done': () => 1 }),
      'input must be JSON-serialisable: input["on-done"] is a function, which JSON cannot carry',
    ],
    [
      'NaN in input',
      (n) => n.triggerAction('slack', 'notify', '1', { n: NaN }),
      'input must be JSON-serialisable: input.n is NaN, which JSON would send as null',
    ],
    [
      'a Map in metadata',
      (n) => n.setMetadata('slack', '1', { m: new Map([['a', 1]]) }),
      'metadata must be JSON-serialisable: metadata.m is a Map, which JSON would send as {}',
    ],
    [
      'a symbol in metadata',
      (n) => n.updateMetadata('slack', ['1', '2'], { s: Symbol('x') }),
      'metadata must be JSON-serialisable: metadata.s is a symbol, which JSON cannot carry',
    ],
  ])('refuses %s with invalid_argument naming its path, sending nothing', async (_name, call, message) => {
    const { nango, broker } = await connected();
    await expect(call(nango)).rejects.toMatchObject({ code: 'invalid_argument', errorMsg: message });
    expect(broker.published).toHaveLength(0);
    await nango.close();
  });

  it('still sends JSON values, Dates, and the same object twice (shared, not a cycle)', async () => {
    const { nango, broker } = await connected();
    const shared = { x: 1 };
    const call = nango.triggerAction('slack', 'notify', '1', { a: shared, b: shared, at: new Date(0), n: null, list: [[]] });
    await tick();
    expect((broker.request().body as { input: unknown }).input).toEqual({
      a: { x: 1 },
      b: { x: 1 },
      at: '1970-01-01T00:00:00.000Z',
      n: null,
      list: [[]],
    });
    await nango.close();
    await expect(call).rejects.toMatchObject({ code: 'client_closed' });
  });

  it('sends a Date expires_at as an ISO string', async () => {
    const { nango, broker } = await connected();
    void nango
      .registerConnection('slack', 7, { access_token: 'a', refresh_token: 'r', expires_at: new Date(Date.UTC(2030, 0, 1)) })
      .catch(() => undefined);
    await tick();
    expect(broker.published[0]?.body).toMatchObject({ userId: '7', credentials: { expires_at: '2030-01-01T00:00:00.000Z' } });
    await nango.close();
  });

  it('validates constructor arguments', () => {
    expect(() => new Nango('localhost', 0)).toThrow(/port/);
    expect(() => new Nango({ url: 'http://x' })).toThrow(/amqp:\/\//);
    expect(() => new Nango({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(new Nango({ queue: 'custom' }).queue).toBe('custom');
  });

  it('counts pending calls, back to 0 after a reply and after close()', async () => {
    const { nango, broker } = await connected();
    expect(nango.pendingCount).toBe(0);
    const answered = nango.getConnectionsForUserId('1');
    const abandoned = nango.getConnectionsForUserId('2');
    await tick();
    expect(nango.pendingCount).toBe(2);
    broker.reply({ success: true, returnValue: [] }, 0);
    await answered;
    expect(nango.pendingCount).toBe(1);
    await nango.close();
    await expect(abandoned).rejects.toMatchObject({ code: 'client_closed' });
    expect(nango.pendingCount).toBe(0);
  });

  it.each(['null', '5', '[]', '"ok"'])('settles a call whose reply is %s with internal_error', async (body) => {
    const { nango, broker } = await connected();
    const call = nango.getConnectionsForUserId('1');
    await tick();
    expect(() => broker.reply(body)).not.toThrow();
    await expect(call).rejects.toMatchObject({
      code: 'internal_error',
      errorMsg: 'The worker sent a reply that is not a JSON object.',
    });
    expect(nango.pendingCount).toBe(0);
    await nango.close();
  });

  it('refuses timeouts above 2147483647 ms, which Node would fire after 1 ms', async () => {
    expect(() => new Nango({ requestTimeoutMs: 2 ** 31 })).toThrow(/requestTimeoutMs .*at most 2147483647/);
    expect(() => new Nango({ connectTimeoutMs: 2 ** 31 })).toThrow(/connectTimeoutMs .*at most 2147483647/);
    const { nango, broker } = await connected({ requestTimeoutMs: 2147483647 });
    await expect(nango.getConnectionsForUserId('1', { timeoutMs: 2 ** 31 })).rejects.toMatchObject({
      code: 'invalid_argument',
      errorMsg: expect.stringContaining('at most 2147483647'),
    });
    expect(broker.published).toHaveLength(0);
    const atTheMaximum = nango.getConnectionsForUserId('1');
    await tick();
    await tick();
    expect(broker.published).toHaveLength(1);
    expect(nango.pendingCount).toBe(1);
    await nango.close();
    await expect(atTheMaximum).rejects.toMatchObject({ code: 'client_closed' });
  });
});

describe('Nango client: close() while connect() is in progress', () => {
  it.each(['connect', 'createConfirmChannel', 'consume'] as const)(
    'during %s: connect() rejects with client_closed, the socket is closed and nothing is sent',
    async (step) => {
      const broker = new FakeBroker();
      const release = broker.hold(step);
      const nango = new Nango({ queue: 'q' }, broker.connect);
      const connecting = nango.connect();
      await tick();
      await nango.close();
      release();
      await expect(connecting).rejects.toMatchObject({ code: 'client_closed' });
      expect(broker.closed).toBe(true);
      await expect(nango.getConnectionsForUserId('1')).rejects.toMatchObject({ code: 'client_closed' });
      await expect(nango.connect()).rejects.toMatchObject({ code: 'client_closed' });
      expect(broker.published).toHaveLength(0);
    },
  );

  it('rejects with client_closed, not connection_failed, when the dial also fails', async () => {
    const broker = new FakeBroker();
    const release = broker.hold('connect');
    broker.failConnect = new Error('connect ECONNREFUSED 127.0.0.1:5672');
    const nango = new Nango({ queue: 'q' }, broker.connect);
    const connecting = nango.connect();
    await nango.close();
    release();
    await expect(connecting).rejects.toMatchObject({ code: 'client_closed' });
    await expect(nango.connect()).rejects.toMatchObject({ code: 'client_closed' });
  });

  it('survives a connection error emitted while the channel is being opened', async () => {
    const broker = new FakeBroker();
    const release = broker.hold('createConfirmChannel');
    const nango = new Nango({ queue: 'q' }, broker.connect);
    const connecting = nango.connect();
    await tick();
    expect(() => broker.connection.emit('error', new Error('Heartbeat timeout'))).not.toThrow();
    release();
    await expect(connecting).resolves.toBeUndefined();
    await nango.close();
  });
});
