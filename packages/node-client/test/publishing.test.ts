import Nango from '@nangohq/node-client';
import { DEFAULT_MAX_REQUEST_BYTES } from '@nangohq/protocol';
import { FakeBroker } from './fakeAmqp';
import { connected, tick } from './helpers';

describe('Nango client: what it publishes', () => {
  it('names its connection nango-node-client unless told otherwise', async () => {
    const broker = new FakeBroker();
    const byDefault = new Nango({}, broker.connect);
    const named = new Nango({ connectionName: 'billing-app' }, broker.connect);
    await byDefault.connect();
    await named.connect();
    const names = broker.connectCalls.map((call) => call.socketOptions?.['clientProperties']);
    expect(names).toEqual([{ connection_name: 'nango-node-client' }, { connection_name: 'billing-app' }]);
    await byDefault.close();
    await named.close();
  });

  it('sends the idempotency key of triggerAction in the message, and no key when none is given', async () => {
    const { nango, broker } = await connected();
    const keyed = nango.triggerAction('slack', 'notify', 1, { msg: 'hi' }, { idempotencyKey: 'order-42', timeoutMs: 500 });
    const unkeyed = nango.triggerAction('slack', 'notify', 1);
    await tick();
    expect(broker.request(0).body).toEqual({
      type: 'triggerAction',
      integration: 'slack',
      action: 'notify',
      userId: '1',
      input: { msg: 'hi' },
      idempotencyKey: 'order-42',
    });
    expect(broker.request(1).body).not.toHaveProperty('idempotencyKey');
    broker.reply({ success: true, returnValue: 'done' }, 0);
    broker.reply({ success: true, returnValue: 'done' }, 1);
    await expect(keyed).resolves.toEqual({ success: true, returnValue: 'done' });
    await expect(unkeyed).resolves.toEqual({ success: true, returnValue: 'done' });
    await nango.close();
  });

  it.each([[''], [42]])('refuses the idempotency key %p without sending anything', async (key) => {
    const { nango, broker } = await connected();
    const call = nango.triggerAction('slack', 'notify', 1, {}, { idempotencyKey: key as string });
    await expect(call).rejects.toMatchObject({
      code: 'invalid_argument',
      errorMsg: expect.stringContaining('idempotencyKey must be a non-empty string'),
    });
    expect(broker.published).toHaveLength(0);
    await nango.close();
  });

  it('refuses a request over maxRequestBytes at once, naming its size, the limit and the option', async () => {
    const { nango, broker } = await connected({ maxRequestBytes: 100 });
    const input = { text: 'x'.repeat(100) };
    const size = Buffer.byteLength(JSON.stringify({ type: 'triggerAction', integration: 's', action: 'a', userId: '1', input }));
    const error: unknown = await nango.triggerAction('s', 'a', 1, input).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'request_too_large', retryable: false });
    const { errorMsg } = error as { errorMsg: string };
    expect(errorMsg).toContain(`${size} bytes`);
    expect(errorMsg).toContain('limit of 100 bytes');
    expect(errorMsg).toContain('maxRequestBytes');
    expect(broker.published).toHaveLength(0);
    expect(nango.pendingCount).toBe(0);
    await nango.close();
  });

  it('counts bytes, not characters, and defaults to the protocol limit', async () => {
    const { nango, broker } = await connected();
    // Each 'é' is 2 bytes in UTF-8: the string's length is under the limit, its encoding is not.
    const input = { text: 'é'.repeat(DEFAULT_MAX_REQUEST_BYTES / 2) };
    expect(input.text.length).toBeLessThan(DEFAULT_MAX_REQUEST_BYTES);
    await expect(nango.triggerAction('s', 'a', 1, input)).rejects.toMatchObject({ code: 'request_too_large' });
    expect(broker.published).toHaveLength(0);
    await nango.close();
  });

  it('validates the reliability options', () => {
    expect(() => new Nango({ connectRetries: -1 })).toThrow(/connectRetries must be an integer at least 0/);
    expect(() => new Nango({ maxRequestBytes: 0 })).toThrow(/maxRequestBytes/);
    expect(() => new Nango({ reconnect: { initialDelayMs: 0 } })).toThrow(/reconnect.initialDelayMs/);
    expect(() => new Nango({ reconnect: { initialDelayMs: 500, maxDelayMs: 100 } })).toThrow(/maxDelayMs/);
    expect(() => new Nango({ connectionName: '' })).toThrow(/connectionName/);
  });
});

describe('Nango client: publisher confirms', () => {
  it('sends a nacked request again, same correlation id and body, and a reply then settles the call', async () => {
    const { nango, broker } = await connected({ requestTimeoutMs: 10_000 });
    const call = nango.getConnectionsForUserId('1');
    await tick();
    broker.nack();
    await waitUntil(() => broker.published.length === 2);
    const [first, second] = [broker.request(0), broker.request(1)];
    expect(second.options.correlationId).toBe(first.options.correlationId);
    expect(second.body).toEqual(first.body);
    broker.reply({ success: true, returnValue: [] });
    await expect(call).resolves.toEqual({ success: true, returnValue: [] });
    expect(nango.pendingCount).toBe(0);
    await nango.close();
  });

  it('keeps sending a request the broker nacks until its deadline, then rejects with refused_by_broker', async () => {
    const { nango, broker } = await connected({ requestTimeoutMs: 600 });
    const startedAt = Date.now();
    const call = nango.getConnectionsForUserId('1');
    let nacked = 0;
    const nackEach = setInterval(() => {
      for (; nacked < broker.published.length; nacked++) broker.nack(nacked);
    }, 5);
    try {
      await expect(call).rejects.toMatchObject({
        code: 'refused_by_broker',
        retryable: true,
        errorMsg: expect.stringMatching(/times until the call's deadline.*queue 'q'.*no worker received it/),
      });
    } finally {
      clearInterval(nackEach);
    }
    expect(broker.published.length).toBeGreaterThan(2);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(500); // sent again until near its deadline
    expect(Date.now() - startedAt).toBeLessThanOrEqual(800);
    expect(nango.pendingCount).toBe(0);
    await nango.close();
  });

  it('sends a request nacked just before its deadline no more: refused_by_broker at once', async () => {
    const { nango, broker } = await connected({ requestTimeoutMs: 30 });
    const call = nango.getConnectionsForUserId('1');
    await tick();
    broker.nack(); // under 50 ms left: no worker could answer a new send in time
    await expect(call).rejects.toMatchObject({ code: 'refused_by_broker' });
    expect(broker.published).toHaveLength(1);
    await nango.close();
  });

  it('sends a nacked request on the new link when the link drops during the wait, not failing it as lost', async () => {
    const { nango, broker } = await connected({ requestTimeoutMs: 10_000, reconnect: { initialDelayMs: 100, maxDelayMs: 100 } });
    const call = nango.getConnectionsForUserId('1');
    await tick();
    broker.nack();
    broker.dropConnection();
    await waitUntil(() => broker.published.length === 2 && broker.connections.length === 2);
    expect(broker.request(1).channel).toBe(broker.channel);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the nack's own wait ends: no third send
    expect(broker.published).toHaveLength(2);
    broker.reply({ success: true, returnValue: [] });
    await expect(call).resolves.toEqual({ success: true, returnValue: [] });
    await nango.close();
  });

  it('does not wait for the confirm: a reply that comes first settles the call, a later nack changes nothing', async () => {
    const { nango, broker } = await connected();
    const call = nango.getConnectionsForUserId('1');
    await tick();
    broker.reply({ success: true, returnValue: [] });
    await expect(call).resolves.toEqual({ success: true, returnValue: [] });
    expect(() => broker.nack()).not.toThrow();
    await nango.close();
  });

  it('an ack settles nothing: the call still waits for its reply', async () => {
    const { nango, broker } = await connected();
    const call = nango.getConnectionsForUserId('1');
    await tick();
    broker.request().confirm(null);
    expect(nango.pendingCount).toBe(1);
    broker.reply({ success: true, returnValue: [] });
    await expect(call).resolves.toEqual({ success: true, returnValue: [] });
    await nango.close();
  });

  it('reports unconfirmed requests of a closed channel as connection_lost, not as refused', async () => {
    const { nango, broker } = await connected();
    const call = nango.getConnectionsForUserId('1');
    await tick();
    expect(broker.channel.unconfirmed.size).toBe(1);
    broker.closeChannel();
    await expect(call).rejects.toMatchObject({ code: 'connection_lost' });
    await nango.close();
  });
});

/** Polls `done` every 5 ms; fails after 5 s. */
async function waitUntil(done: () => boolean): Promise<void> {
  for (const until = Date.now() + 5_000; !done();) {
    if (Date.now() > until) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
