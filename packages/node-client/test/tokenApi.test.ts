import type Nango from '@nangohq/node-client';
import { connected, tick } from './helpers';

/** Calls `call`, lets it publish, and returns the body it sent; the call is then abandoned by close(). */
async function sentBody(call: (nango: Nango) => Promise<unknown>): Promise<unknown> {
  const { nango, broker } = await connected();
  const pending = call(nango).catch((e: unknown) => e);
  await tick();
  const body = broker.published[0]?.body;
  await nango.close();
  await pending;
  return body;
}

describe('token API arguments (fake broker)', () => {
  it.each<[string, (nango: Nango) => Promise<unknown>, unknown]>([
    ['getToken', (n) => n.getToken('slack', 1), { type: 'getToken', integration: 'slack', userId: '1' }],
    [
      'getToken, forced',
      (n) => n.getToken('slack', '1', true),
      { type: 'getToken', integration: 'slack', userId: '1', forceRefresh: true },
    ],
    [
      'getRawTokenResponse',
      (n) => n.getRawTokenResponse('slack', 7),
      { type: 'getRawTokenResponse', integration: 'slack', userId: '7' },
    ],
    ['getConnection', (n) => n.getConnection('slack', '1'), { type: 'getConnection', integration: 'slack', userId: '1' }],
    [
      'getConnection with both flags',
      (n) => n.getConnection('slack', 2, false, true),
      { type: 'getConnection', integration: 'slack', userId: '2', forceRefresh: false, refreshToken: true },
    ],
    [
      'getConnection with refreshToken only',
      (n) => n.getConnection('slack', '1', undefined, true),
      { type: 'getConnection', integration: 'slack', userId: '1', refreshToken: true },
    ],
    ['listConnections', (n) => n.listConnections(), { type: 'listConnections' }],
    ['listConnections for a user', (n) => n.listConnections(42), { type: 'listConnections', userId: '42' }],
    ['deleteConnection', (n) => n.deleteConnection('slack', 3), { type: 'deleteConnection', integration: 'slack', userId: '3' }],
    ['getMetadata', (n) => n.getMetadata('slack', '1'), { type: 'getMetadata', integration: 'slack', userId: '1' }],
    [
      'setMetadata, one user id',
      (n) => n.setMetadata('slack', 1, { plan: 'pro' }),
      { type: 'setMetadata', integration: 'slack', userIds: ['1'], metadata: { plan: 'pro' } },
    ],
    [
      'updateMetadata, several user ids',
      (n) => n.updateMetadata('slack', ['1', 2], { plan: 'pro' }),
      { type: 'updateMetadata', integration: 'slack', userIds: ['1', '2'], metadata: { plan: 'pro' } },
    ],
  ])('%s sends the message with user ids as strings and flags only when given', async (_name, call, body) => {
    expect(await sentBody(call)).toEqual(body);
  });

  it('resolves with the reply as returnValue', async () => {
    const { nango, broker } = await connected();
    const token = nango.getToken('slack', '1');
    await tick();
    broker.reply({ success: true, returnValue: 'xoxb-1' });
    await expect(token).resolves.toEqual({ success: true, returnValue: 'xoxb-1' });
    const list = nango.listConnections();
    await tick();
    const connections = [{ connection_id: '1', provider: 'slack', created: '2026-11-22T10:00:00.000Z' }];
    broker.reply({ success: true, returnValue: { connections } });
    await expect(list).resolves.toEqual({ success: true, returnValue: { connections } });
    const set = nango.setMetadata('slack', ['1'], {});
    await tick();
    broker.reply({ success: true });
    await expect(set).resolves.toEqual({ success: true });
    await nango.close();
  });

  it.each<[string, (nango: Nango) => Promise<unknown>, string]>([
    [
      'a flag that is not a boolean',
      (n) => n.getToken('slack', '1', 'true' as never),
      'forceRefresh must be a boolean, got string',
    ],
    [
      'a refreshToken that is not a boolean',
      (n) => n.getConnection('slack', '1', false, 1 as never),
      'refreshToken must be a boolean, got 1',
    ],
    [
      'an empty list of user ids',
      (n) => n.setMetadata('slack', [], {}),
      'userId must be a user id or a non-empty list of user ids, got []',
    ],
    [
      'a bad user id in a list',
      (n) => n.updateMetadata('slack', ['1', null as never], {}),
      'userId[1] must be a string or a number, got null',
    ],
    [
      'metadata that is an array',
      (n) => n.setMetadata('slack', '1', [] as never),
      'metadata must be a JSON object, got an array',
    ],
    ['metadata that is null', (n) => n.updateMetadata('slack', '1', null as never), 'metadata must be a JSON object, got null'],
    ['metadata that is a string', (n) => n.setMetadata('slack', '1', 'x' as never), 'metadata must be a JSON object, got string'],
    ['a user id that is an object', (n) => n.listConnections({} as never), 'userId must be a string or a number, got object'],
    ['a user id that is NaN', (n) => n.deleteConnection('slack', Number.NaN), 'userId must be a string or a number, got NaN'],
  ])('rejects %s with invalid_argument and sends nothing', async (_name, call, message) => {
    const { nango, broker } = await connected();
    await expect(call(nango)).rejects.toMatchObject({ code: 'invalid_argument', errorMsg: message });
    expect(broker.published).toHaveLength(0);
    await nango.close();
  });

  it('takes CallOptions as the last argument of every method', async () => {
    const { nango, broker } = await connected({ requestTimeoutMs: 60_000 });
    const options = { timeoutMs: 10 };
    const calls = [
      nango.getToken('slack', '1', undefined, options),
      nango.getRawTokenResponse('slack', '1', options),
      nango.getConnection('slack', '1', undefined, undefined, options),
      nango.listConnections(undefined, options),
      nango.deleteConnection('slack', '1', options),
      nango.getMetadata('slack', '1', options),
      nango.setMetadata('slack', '1', {}, options),
      nango.updateMetadata('slack', '1', {}, options),
    ];
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'timeout' });
    expect(broker.published).toHaveLength(calls.length);
    expect(nango.pendingCount).toBe(0);
    await nango.close();
  });

  it('names metadata that cannot be sent as JSON', async () => {
    const { nango, broker } = await connected();
    await expect(nango.updateMetadata('slack', '1', { big: 1n })).rejects.toMatchObject({
      code: 'invalid_argument',
      errorMsg: expect.stringContaining('metadata must be JSON-serialisable'),
    });
    expect(broker.published).toHaveLength(0);
    await nango.close();
  });
});
