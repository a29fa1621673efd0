import { ActionLogRedactor } from '../../src/actions/ActionLogRedactor';
import type { OperationRecord } from '../../src/operationLog/Operation';
import { StoredOperationLog, type StoredOperationLogOptions } from '../../src/operationLog/StoredOperationLog';
import type { OperationBatch, OperationStore } from '../../src/store/OperationStore';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { testCipher } from '../helpers/testCipher';

/** The real SQLite store, its writes recorded and, when a test says so, held back or refused. */
class WatchedStore {
  readonly batches: OperationBatch[] = [];
  /** While set, writes wait for it. */
  gate: Promise<void> | undefined;
  /** Writes left to refuse. */
  failures = 0;
  readonly store = new SqliteStore(':memory:', testCipher());
  readonly operations: OperationStore = this.store.operations;

  readonly writer: Pick<OperationStore, 'write'> = {
    write: async (batch) => {
      this.batches.push(batch);
      await this.gate;
      if (this.failures > 0) {
        this.failures--;
        throw new Error('the database is away');
      }
      await this.operations.write(batch);
    },
  };
}

const SECRETS = { access_token: 'tok-0123456789-secret', raw: { refresh_token: 'ref-9876543210-secret' } };

describe('StoredOperationLog', () => {
  let watched: WatchedStore;
  let log: StoredOperationLog;
  let made: StoredOperationLog[] = [];
  const make = (options: Partial<StoredOperationLogOptions> = {}) => {
    const one = new StoredOperationLog({
      store: watched.writer,
      redactor: (secrets) => new ActionLogRedactor(secrets),
      flushIntervalMs: 60_000, // tests flush by hand unless they test the timer
      ...options,
    });
    made.push(one);
    return one;
  };

  beforeEach(() => {
    watched = new WatchedStore();
    log = make();
  });
  afterEach(async () => {
    for (const one of made) await one.stop();
    made = [];
    await watched.store.close();
  });

  it('writes an operation that starts and ends within one batch once, with its messages', async () => {
    const handle = log.start({ kind: 'action', name: 'echo', integration: 'demo', connectionId: 'u1', fields: { attempt: 1 } });
    expect(handle.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    handle.message('info', 'retry 2 of 3');
    handle.set({ status: 200 });
    handle.end('success');
    handle.end('failed'); // ignored: it ended
    handle.message('info', 'too late');
    await log.flush();
    expect(watched.batches).toHaveLength(1);
    expect(watched.batches[0]?.operations).toHaveLength(1);
    const stored = await watched.operations.get(handle.id);
    expect(stored).toMatchObject({ status: 'success', kind: 'action', fields: { attempt: 1, status: 200 }, error: null });
    expect(stored?.durationMs).toBeGreaterThanOrEqual(0);
    const { messages } = await watched.operations.messages(handle.id, { limit: 10 });
    expect(messages.map((kept) => kept.text)).toEqual(['retry 2 of 3']);
  });

  it('writes a running operation, then its end in a later batch', async () => {
    const handle = log.start({ kind: 'sync', name: 'issues' });
    await log.flush();
    expect(await watched.operations.get(handle.id)).toMatchObject({ status: 'running', endedAt: null });
    handle.set({ added: 3 });
    handle.end('failed', { code: 'sync_failed', message: 'Boom' });
    await log.flush();
    expect(await watched.operations.get(handle.id)).toMatchObject({
      status: 'failed',
      error: { code: 'sync_failed', message: 'Boom' },
      fields: { added: 3 },
    });
    await log.flush(); // nothing waits: no empty batch
    expect(watched.batches).toHaveLength(2);
  });

  it('writes by itself within the interval, and at once when a batch fills', async () => {
    log = make({ flushIntervalMs: 30, batchSize: 5 });
    const first = log.start({ kind: 'proxy', name: 'GET /a' });
    await waitFor(async () => (await watched.operations.get(first.id)) !== undefined);
    const started = Date.now();
    log = make({ flushIntervalMs: 60_000, batchSize: 5 });
    const handles = Array.from({ length: 5 }, () => log.start({ kind: 'proxy', name: 'GET /b' }));
    await waitFor(async () => (await watched.operations.get(handles[4]!.id)) !== undefined);
    expect(Date.now() - started).toBeLessThan(5_000); // not the minute of the interval
  });

  it('drops what does not fit while the store is slow, never waiting, and keeps the ends of what it took', async () => {
    log = make({ maxBuffered: 10, batchSize: 1_000 });
    let open!: () => void;
    watched.gate = new Promise((resolve) => (open = resolve));
    const kept = Array.from({ length: 5 }, () => log.start({ kind: 'action', name: 'kept' }));
    void log.flush(); // in flight, held by the gate
    await waitFor(async () => watched.batches.length === 1);
    const started = performance.now();
    const more = Array.from({ length: 20 }, () => log.start({ kind: 'action', name: 'more' }));
    for (const handle of more) handle.message('info', 'hello');
    expect(performance.now() - started).toBeLessThan(50); // nothing waited for the store
    expect(log.droppedCount).toBe(10 + 20); // 10 starts had room; the 10 others and every message did not
    for (const handle of [...kept, ...more]) handle.end('success');
    open();
    watched.gate = undefined;
    await log.flush();
    await log.flush();
    const stored = (await watched.operations.list({}, { limit: 100 })).operations;
    expect(stored).toHaveLength(15);
    expect(stored.every((operation) => operation.status === 'success')).toBe(true);
  });

  it('calls onEnd listeners at once with the final record, whatever they do', async () => {
    log = make({ maxBuffered: 0 }); // nothing is recorded: listeners still hear of every end
    const seen: OperationRecord[] = [];
    log.onEnd(() => {
      throw new Error('a bad listener');
    });
    const unsubscribe = log.onEnd((record) => seen.push(record));
    const handle = log.start({ kind: 'refresh', name: 'oauth2', integration: 'github' });
    handle.end('failed', { code: 'refresh_failed', message: 'invalid_grant' });
    expect(seen).toEqual([
      expect.objectContaining({
        id: handle.id,
        kind: 'refresh',
        status: 'failed',
        error: { code: 'refresh_failed', message: 'invalid_grant' },
      }),
    ]);
    unsubscribe();
    log.start({ kind: 'refresh', name: 'oauth2' }).end('success');
    expect(seen).toHaveLength(1);
  });

  it('keeps no secret: values scrubbed from texts and errors, secret-named fields replaced', async () => {
    const handle = log.start({ kind: 'proxy', name: 'GET /me', secrets: SECRETS, fields: { access_token: 'x' } });
    handle.message('error', `provider said: bad token ${SECRETS.access_token}`, {
      header: `Bearer ${Buffer.from(SECRETS.raw.refresh_token).toString('base64')}`,
      password: 'hunter2',
    });
    handle.set({ url: `https://api.example/me?token=${encodeURIComponent(SECRETS.access_token)}` });
    handle.end('failed', { code: 'http_request_failed', message: `401 for ${SECRETS.raw.refresh_token}` });
    await log.flush();
    const stored = JSON.stringify([
      await watched.operations.get(handle.id),
      await watched.operations.messages(handle.id, { limit: 10 }),
    ]);
    expect(stored).not.toContain('0123456789');
    expect(stored).not.toContain('9876543210');
    expect(stored).not.toContain(Buffer.from(SECRETS.raw.refresh_token).toString('base64').slice(4, 16));
    expect(stored).not.toContain('hunter2');
    expect(stored).toContain('[redacted]');
    expect(stored).toContain('provider said: bad token');
  });

  it('caps texts, fields and messages per operation', async () => {
    log = make({ limits: { textChars: 100, fields: 3, fieldChars: 10, messages: 4 } });
    const handle = log.start({ kind: 'action', name: 'n'.repeat(1000) });
    handle.set({ a: 'x'.repeat(50), b: 1, c: true, d: 'dropped' });
    for (let n = 0; n < 10; n++) handle.message('info', `${n} ${'y'.repeat(500)}`);
    handle.end('failed', { code: 'action_failed', message: 'z'.repeat(500) });
    await log.flush();
    const stored = await watched.operations.get(handle.id);
    expect(stored?.name.length).toBeLessThanOrEqual(128);
    expect(stored?.fields).toEqual({ a: `${'x'.repeat(9)}…`, b: 1, c: true });
    expect(stored?.error?.message).toHaveLength(100);
    const { messages } = await watched.operations.messages(handle.id, { limit: 100 });
    expect(messages).toHaveLength(5);
    expect(messages.slice(0, 4).every((kept) => kept.text.length === 100)).toBe(true);
    expect(messages[4]).toMatchObject({ level: 'warn', text: '6 more messages were not kept (at most 4 per operation)' });
  });

  it('tries a refused batch again with the next one, and drops it after the last attempt', async () => {
    log = make({ maxAttempts: 2 });
    watched.failures = 1;
    const first = log.start({ kind: 'action', name: 'first' });
    await log.flush(); // refused
    first.end('success');
    const second = log.start({ kind: 'action', name: 'second' });
    await log.flush(); // both, in one batch
    expect(await watched.operations.get(first.id)).toMatchObject({ status: 'success' });
    expect(await watched.operations.get(second.id)).toMatchObject({ status: 'running' });
    expect(log.droppedCount).toBe(0);

    watched.failures = 2;
    log.start({ kind: 'action', name: 'lost' }).message('info', 'also lost');
    await log.flush();
    await log.flush();
    expect(log.droppedCount).toBe(2);
    expect(log.bufferedCount).toBe(0);
  });

  it('ends what still runs as cancelled when it stops, and records nothing after', async () => {
    const running = log.start({ kind: 'sync', name: 'issues' });
    await log.stop();
    expect(await watched.operations.get(running.id)).toMatchObject({
      status: 'cancelled',
      error: { code: 'worker_stopped' },
    });
    const late = log.start({ kind: 'sync', name: 'late' });
    late.end('success');
    await log.flush();
    expect(await watched.operations.get(late.id)).toBeUndefined();
    expect(log.droppedCount).toBe(1);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
