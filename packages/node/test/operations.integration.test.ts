import { Nango, NangoError } from '@nangohq/node';
import type { StoredOperationLog } from '../../server/src/operationLog/StoredOperationLog';
import { startApi, type ApiHarness } from '../../server/test/helpers/apiHarness';

const KEY = 'sdk-logs-secret-key';

describe('listOperations and getOperation against a running server', () => {
  let api: ApiHarness;
  let nango: Nango;
  let ids: { echo: string; proxy: string; sync: string };
  const at = Date.UTC(2026, 2, 1, 12);

  beforeAll(async () => {
    api = await startApi({ secretKey: KEY });
    nango = new Nango({ host: api.url, secretKey: KEY });
    // Recorded through the worker's own operations log, as the server's flows record them.
    const log = api.worker.operationLog as StoredOperationLog;
    const echo = log.start({ kind: 'action', name: 'echo', integration: 'demo', connectionId: 'u1', startedAt: at });
    echo.message('info', 'said hello to Ada');
    echo.end('success');
    const proxy = log.start({ kind: 'proxy', name: 'GET /issues', integration: 'github', connectionId: 'u2', startedAt: at + 1 });
    proxy.set({ status: 429, retries: 2 });
    proxy.end('failed', { code: 'provider_rate_limited', message: '429 from the provider' });
    const sync = log.start({ kind: 'sync', name: 'issues', integration: 'github', endUserId: 'e1', startedAt: at + 2 });
    for (let n = 0; n < 3; n++) sync.message('info', `page ${n}`);
    sync.end('success');
    ids = { echo: echo.id, proxy: proxy.id, sync: sync.id };
    await log.flush();
  });
  afterAll(() => api?.stop());

  it('lists with every filter, and pages', async () => {
    const list = async (filters: Parameters<Nango['listOperations']>[0]) =>
      (await nango.listOperations(filters)).operations.map((operation) => operation.id);
    expect(await list({})).toEqual([ids.sync, ids.proxy, ids.echo]);
    expect(await list({ kind: 'action' })).toEqual([ids.echo]);
    expect(await list({ kind: ['action', 'sync'] })).toEqual([ids.sync, ids.echo]);
    expect(await list({ status: ['failed', 'timed_out'] })).toEqual([ids.proxy]);
    expect(await list({ integration: 'github', connectionId: 'u2' })).toEqual([ids.proxy]);
    expect(await list({ endUserId: 'e1' })).toEqual([ids.sync]);
    expect(await list({ errorCode: 'provider_rate_limited' })).toEqual([ids.proxy]);
    expect(await list({ from: new Date(at + 1), to: at + 1 })).toEqual([ids.proxy]);
    expect(await list({ from: new Date(at + 2).toISOString() })).toEqual([ids.sync]);
    expect(await list({ q: 'hello ada' })).toEqual([ids.echo]);

    const first = await nango.listOperations({ limit: 2 });
    expect(first.operations[1]).toMatchObject({
      id: ids.proxy,
      kind: 'proxy',
      status: 'failed',
      fields: { status: 429, retries: 2 },
      error: { code: 'provider_rate_limited', message: '429 from the provider' },
      started_at: new Date(at + 1).toISOString(),
    });
    const second = await nango.listOperations({ limit: 2, cursor: first.next_cursor });
    expect(second).toEqual({ operations: [expect.objectContaining({ id: ids.echo })], next_cursor: null });
  });

  it('gets one operation with its messages, in pages', async () => {
    const first = await nango.getOperation(ids.sync, { messagesLimit: 2 });
    expect(first.operation).toMatchObject({ id: ids.sync, kind: 'sync', name: 'issues', end_user_id: 'e1' });
    expect(first.messages.map((message) => message.text)).toEqual(['page 0', 'page 1']);
    const rest = await nango.getOperation(ids.sync, { messagesCursor: first.next_messages_cursor });
    expect(rest.messages).toEqual([{ at: expect.any(String), level: 'info', text: 'page 2' }]);
    expect(rest.next_messages_cursor).toBeNull();
  });

  it('rejects with the server error code, or before sending', async () => {
    await expect(nango.getOperation('01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(nango.listOperations({ kind: 'nope' as 'action' })).rejects.toMatchObject({
      code: 'invalid_request',
      status: 400,
      message: expect.stringContaining("unknown kind 'nope'"),
    });
    await expect(nango.listOperations({ from: new Date('garbage') })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(nango.getOperation('')).rejects.toBeInstanceOf(NangoError);
  });
});
