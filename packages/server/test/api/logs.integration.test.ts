import { randomBytes } from 'node:crypto';
import type { OperationLog } from '../../src/operationLog/OperationLog';
import type { StoredOperationLog } from '../../src/operationLog/StoredOperationLog';
import { startApi, type ApiHarness } from '../helpers/apiHarness';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';

const KEY = 'logs-secret-key';

/** The events of a Server-Sent Events stream, as they arrive. */
interface EventStream {
  events: Array<{ event: string; data: unknown }>;
  /** Resolves once the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

async function openTail(url: string, query = ''): Promise<EventStream & { status: number; type: string | null }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/logs/tail${query}`, {
    headers: { authorization: `Bearer ${KEY}` },
    signal: controller.signal,
  });
  const events: EventStream['events'] = [];
  const ended = (async () => {
    if (!response.body) return;
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += Buffer.from(chunk).toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { status: response.status, type: response.headers.get('content-type'), events, ended, close: () => controller.abort() };
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['sqlite', 'postgres'])('the logs routes on %s', (kind) => {
  let api: ApiHarness;
  let second: ApiHarness;
  let database: TestDatabase | undefined;
  let log: StoredOperationLog;
  const keyBefore = process.env['NANGO_ENCRYPTION_KEY'];

  beforeAll(async () => {
    if (kind === 'postgres') {
      database = await createTestDatabase();
      process.env['NANGO_ENCRYPTION_KEY'] = randomBytes(32).toString('base64');
    }
    const where = database ? { databaseUrl: database.url } : {};
    api = await startApi({ secretKey: KEY, ...where });
    // A second API process on the same database: what one records, the other lists and tails.
    second = await startApi({ secretKey: KEY, ...(database ? where : { dbPath: api.dbPath }) });
    log = api.worker.operationLog as StoredOperationLog;
  });
  afterAll(async () => {
    await second?.stop();
    await api?.stop();
    await database?.drop();
    if (keyBefore === undefined) delete process.env['NANGO_ENCRYPTION_KEY'];
    else process.env['NANGO_ENCRYPTION_KEY'] = keyBefore;
  });

  /** Records one ended operation through the worker's own log. */
  function record(
    operationLog: OperationLog,
    fields: Parameters<OperationLog['start']>[0],
    end: 'success' | 'failed' = 'success',
  ) {
    const handle = operationLog.start(fields);
    handle.message('info', `started ${fields.name}`);
    if (end === 'failed') handle.end('failed', { code: 'action_failed', message: 'The action threw: Boom' });
    else handle.end('success');
    return handle.id;
  }

  it('lists operations newest first with every filter, in pages, on any process of the cluster', async () => {
    const at = Date.now() - 60_000;
    const a = record(log, {
      kind: 'action',
      name: 'echo',
      integration: 'demo',
      connectionId: 'u1',
      endUserId: 'e1',
      startedAt: at,
    });
    const b = record(
      log,
      { kind: 'proxy', name: 'GET /issues', integration: 'github', connectionId: 'u2', startedAt: at + 1 },
      'failed',
    );
    const c = record(log, { kind: 'action', name: 'sum', integration: 'demo', connectionId: 'u2', startedAt: at + 2 });
    await log.flush();
    const ids = async (query: string) => {
      const { status, body } = await second.call(`/logs/operations${query}`, { key: KEY });
      expect(status).toBe(200);
      return (body.operations as Array<{ id: string }>).map((operation) => operation.id);
    };
    expect(await ids('')).toEqual([c, b, a]);
    expect(await ids('?kind=action')).toEqual([c, a]);
    expect(await ids('?kind=action,proxy&status=failed')).toEqual([b]);
    expect(await ids('?integration=demo&connectionId=u2')).toEqual([c]);
    expect(await ids('?endUserId=e1')).toEqual([a]);
    expect(await ids('?errorCode=action_failed')).toEqual([b]);
    expect(await ids(`?from=${at + 1}&to=${new Date(at + 1).toISOString()}`)).toEqual([b]);
    expect(await ids('?q=boom')).toEqual([b]);
    expect(await ids('?q=started%20sum')).toEqual([c]);

    const first = await second.call('/logs/operations?limit=2', { key: KEY });
    expect(first.body.operations[0]).toEqual({
      id: c,
      kind: 'action',
      name: 'sum',
      integration: 'demo',
      connection_id: 'u2',
      end_user_id: null,
      status: 'success',
      started_at: new Date(at + 2).toISOString(),
      ended_at: expect.any(String),
      duration_ms: expect.any(Number),
      error: null,
      fields: {},
      trace_id: null,
      parent_id: null,
    });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const rest = await second.call(`/logs/operations?limit=2&cursor=${first.body.next_cursor}`, { key: KEY });
    expect(rest.body).toEqual({ operations: [expect.objectContaining({ id: a })], next_cursor: null });
  });

  it('answers a bad filter with a 400 naming it, and a missing key with a 401', async () => {
    const problem = async (query: string) => {
      const { status, body } = await api.call(`/logs/operations${query}`, { key: KEY });
      expect(status).toBe(400);
      expect(body.error.code).toBe('invalid_request');
      return body.error.message as string;
    };
    expect(await problem('?kind=nope')).toMatch(/querystring\/kind: unknown kind 'nope'; .*connect, refresh/);
    expect(await problem('?status=done')).toContain("querystring/status: unknown status 'done'");
    expect(await problem('?from=yesterday')).toContain('querystring/from must be an ISO 8601 time');
    expect(await problem('?from=2026-02-01&to=2026-01-01')).toContain('querystring/from (2026-02-01) is after querystring/to');
    expect(await problem('?q=!!!')).toContain('querystring/q holds no word');
    expect(await problem('?cursor=abc')).toContain('querystring/cursor is not a cursor');
    expect(await problem('?limit=0')).toContain('querystring/limit');
    expect(await problem('?connection_id=u1')).toContain("'connection_id'");
    expect((await api.call('/logs/operations')).status).toBe(401);
    expect((await api.call('/logs/tail')).status).toBe(401);
  });

  it('gives one operation with its messages, in pages', async () => {
    const handle = log.start({ kind: 'sync', name: 'issues', integration: 'demo', connectionId: 'u1', fields: { added: 3 } });
    for (let n = 0; n < 5; n++) handle.message(n === 4 ? 'error' : 'info', `page ${n}`, { n });
    handle.end('failed', { code: 'sync_failed', message: 'page 4 failed' });
    await log.flush();
    const { status, body } = await second.call(`/logs/operations/${handle.id}?messagesLimit=3`, { key: KEY });
    expect(status).toBe(200);
    expect(body.operation).toMatchObject({
      id: handle.id,
      status: 'failed',
      fields: { added: 3 },
      error: { code: 'sync_failed' },
    });
    expect(body.messages).toEqual([
      { at: expect.any(String), level: 'info', text: 'page 0', fields: { n: 0 } },
      { at: expect.any(String), level: 'info', text: 'page 1', fields: { n: 1 } },
      { at: expect.any(String), level: 'info', text: 'page 2', fields: { n: 2 } },
    ]);
    const more = await second.call(`/logs/operations/${handle.id}?messagesCursor=${body.next_messages_cursor}`, { key: KEY });
    expect(more.body.messages.map((message: { text: string; level: string }) => [message.text, message.level])).toEqual([
      ['page 3', 'info'],
      ['page 4', 'error'],
    ]);
    expect(more.body.next_messages_cursor).toBeNull();

    const missing = await api.call('/logs/operations/01ARZ3NDEKTSV4RRFFQ69G5FAV', { key: KEY });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const malformed = await api.call('/logs/operations/nope', { key: KEY });
    expect(malformed).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringContaining("params/id 'nope'") } },
    });
    const badCursor = await api.call(`/logs/operations/${handle.id}?messagesCursor=x`, { key: KEY });
    expect(badCursor.status).toBe(400);
  });

  it('tails new operations and their ends as Server-Sent Events, across processes, with filters', async () => {
    const tail = await openTail(second.url, '?kind=action,sync');
    expect(tail.status).toBe(200);
    expect(tail.type).toContain('text/event-stream');
    try {
      const running = log.start({ kind: 'action', name: 'slow', integration: 'demo', connectionId: 'u1' });
      log.start({ kind: 'proxy', name: 'GET /not-tailed' }).end('success');
      await waitFor(() => tail.events.length >= 1);
      expect(tail.events[0]).toEqual({
        event: 'operation',
        data: expect.objectContaining({ id: running.id, status: 'running' }),
      });
      running.end('success');
      await waitFor(() => tail.events.length >= 2);
      expect(tail.events[1]).toEqual({
        event: 'operation',
        data: expect.objectContaining({ id: running.id, status: 'success' }),
      });
      const other = second.worker.operationLog as StoredOperationLog;
      const mine = record(other, { kind: 'sync', name: 'here' });
      await waitFor(() => tail.events.length >= 3);
      expect(tail.events[2]).toEqual({ event: 'operation', data: expect.objectContaining({ id: mine, status: 'success' }) });
      await new Promise((resolve) => setTimeout(resolve, 1_200)); // two more looks: nothing sent twice
      expect(tail.events.map((event) => (event.data as { name: string }).name)).toEqual(['slow', 'slow', 'here']);
    } finally {
      tail.close();
      await tail.ended;
    }
  });
});

describe('the logs tail when the server stops', () => {
  it('ends open streams instead of holding the shutdown', async () => {
    const api = await startApi({ secretKey: KEY });
    let stopped = false;
    try {
      const tail = await openTail(api.url);
      expect(tail.status).toBe(200);
      const started = Date.now();
      await api.stop();
      stopped = true;
      await tail.ended;
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      if (!stopped) await api.stop();
    }
  });
});

describe('NANGO_LOGS=off', () => {
  it('records nothing, and the routes still answer', async () => {
    const api = await startApi({ secretKey: KEY, logs: false });
    try {
      expect(api.worker.operationLog).toBeUndefined();
      expect(await api.call('/logs/operations', { key: KEY })).toMatchObject({
        status: 200,
        body: { operations: [], next_cursor: null },
      });
    } finally {
      await api.stop();
    }
  });
});
