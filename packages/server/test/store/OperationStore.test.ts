import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newOperationId, operationIdFloor } from '../../src/store/operationIds';
import type { OperationFilter, OperationStore, StoredMessage, StoredOperation } from '../../src/store/OperationStore';
import { PgOperationStore } from '../../src/store/postgres/PgOperationStore';
import type { PgStore } from '../../src/store/postgres/PgStore';
import { SqliteOperationStore } from '../../src/store/sqlite/SqliteOperationStore';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { pgTestStore, rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';
import { testCipher } from '../helpers/testCipher';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

/** An operation started `minutes` after T0, ended a second later unless it is running. */
function operation(minutes: number, overrides: Partial<StoredOperation> = {}): StoredOperation {
  const startedAt = T0 + minutes * MINUTE;
  const status = overrides.status ?? 'success';
  const endedAt = status === 'running' ? null : startedAt + 1000;
  return {
    id: newOperationId(startedAt),
    kind: 'action',
    name: 'echo',
    integration: 'github',
    connectionId: 'u1',
    endUserId: null,
    status,
    startedAt,
    endedAt,
    durationMs: endedAt === null ? null : 1000,
    error: null,
    fields: {},
    traceId: null,
    parentId: null,
    ...overrides,
  };
}

function message(operationId: string, text: string, at = T0): StoredMessage {
  return { operationId, at, level: 'info', text };
}

describe.each(STORE_KINDS)('OperationStore on %s', (_kind, open) => {
  let handle: TestStore;
  let store: OperationStore;

  beforeEach(async () => {
    handle = await open();
    store = handle.store.operations;
  });
  afterEach(() => handle.dispose());

  const ids = async (filter: OperationFilter, limit = 100) =>
    (await store.list(filter, { limit })).operations.map((listed) => listed.id);

  it('writes an operation once, and again only what changes of it', async () => {
    const running = operation(1, { status: 'running', fields: { method: 'GET' }, traceId: 'a'.repeat(32) });
    await store.write({ operations: [running], messages: [message(running.id, 'retry 1 of 3')] });
    expect(await store.get(running.id)).toEqual(running);

    const failed: StoredOperation = {
      ...running,
      status: 'failed',
      endedAt: running.startedAt + 2500,
      durationMs: 2500,
      error: { code: 'action_failed', message: 'Boom' },
      fields: { method: 'GET', status: 502, retried: true, note: null },
    };
    await store.write({ operations: [failed], messages: [message(running.id, 'gave up')] });
    expect(await store.get(running.id)).toEqual(failed);
    expect(await rawQuery(handle.store, 'SELECT count(*) AS n FROM operations')).toEqual([{ n: 1 }]);
    const { messages, next } = await store.messages(running.id, { limit: 10 });
    expect(messages.map((kept) => [kept.text, kept.level, kept.at])).toEqual([
      ['retry 1 of 3', 'info', T0],
      ['gave up', 'info', T0],
    ]);
    expect(next).toBeNull();
    expect(await store.get(newOperationId())).toBeUndefined();
  });

  it('pages messages oldest first, with their fields', async () => {
    const op = operation(1);
    const messages = Array.from({ length: 5 }, (_, n) => ({ ...message(op.id, `line ${n}`, T0 + n), fields: { n } }));
    await store.write({ operations: [op], messages });
    const first = await store.messages(op.id, { limit: 2 });
    expect(first.messages.map((kept) => kept.text)).toEqual(['line 0', 'line 1']);
    expect(first.messages[1]?.fields).toEqual({ n: 1 });
    const second = await store.messages(op.id, { limit: 2, after: first.next as string });
    const third = await store.messages(op.id, { limit: 2, after: second.next as string });
    expect([...second.messages, ...third.messages].map((kept) => kept.text)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(third.next).toBeNull();
  });

  it('filters by every field, newest first', async () => {
    const a = operation(1, { kind: 'proxy', name: 'GET /issues', integration: 'github', connectionId: 'u1', endUserId: 'e1' });
    const b = operation(2, {
      kind: 'action',
      integration: 'slack',
      connectionId: 'u2',
      status: 'failed',
      error: { code: 'action_failed', message: 'nope' },
    });
    const c = operation(3, { kind: 'refresh', integration: 'github', connectionId: 'u2', endUserId: 'e1', status: 'running' });
    const d = operation(4, { kind: 'action', integration: 'github', connectionId: 'u1', status: 'timed_out' });
    await store.write({ operations: [c, a, d, b], messages: [] });

    expect(await ids({})).toEqual([d.id, c.id, b.id, a.id]);
    expect(await ids({ kinds: ['action'] })).toEqual([d.id, b.id]);
    expect(await ids({ kinds: ['proxy', 'refresh'] })).toEqual([c.id, a.id]);
    expect(await ids({ statuses: ['failed', 'timed_out'] })).toEqual([d.id, b.id]);
    expect(await ids({ statuses: ['running'] })).toEqual([c.id]);
    expect(await ids({ integration: 'github' })).toEqual([d.id, c.id, a.id]);
    expect(await ids({ connectionId: 'u2' })).toEqual([c.id, b.id]);
    expect(await ids({ endUserId: 'e1' })).toEqual([c.id, a.id]);
    expect(await ids({ errorCode: 'action_failed' })).toEqual([b.id]);
    expect(await ids({ from: T0 + 2 * MINUTE })).toEqual([d.id, c.id, b.id]);
    expect(await ids({ to: T0 + 2 * MINUTE })).toEqual([b.id, a.id]);
    expect(await ids({ from: T0 + 2 * MINUTE, to: T0 + 3 * MINUTE })).toEqual([c.id, b.id]);
    expect(await ids({ integration: 'github', connectionId: 'u1', kinds: ['action'] })).toEqual([d.id]);
    expect(await ids({ integration: 'nope' })).toEqual([]);
  });

  it('pages with a cursor without skipping or repeating, also within one millisecond', async () => {
    const at = T0 + MINUTE;
    const same = Array.from({ length: 5 }, () => operation(1, { startedAt: at }));
    const others = [operation(0), operation(2), operation(3, { kind: 'proxy' })];
    await store.write({ operations: [...others, ...same], messages: [] });
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.list({ kinds: ['action'] }, { limit: 3, before });
      seen.push(...page.operations.map((listed) => listed.id));
      if (page.next === null) break;
      before = page.next;
    }
    const expected = [...others.filter((op) => op.kind === 'action'), ...same]
      .map((op) => op.id)
      .sort()
      .reverse();
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);

    // A list of kinds and statuses is searched value by value, newest first, and merged: the same pages.
    const mixed = [operation(5, { kind: 'sync', status: 'failed' }), operation(6, { kind: 'sync' })];
    await store.write({ operations: mixed, messages: [] });
    const pages: string[][] = [];
    before = undefined;
    do {
      const page = await store.list(
        { kinds: ['sync', 'proxy', 'action'], statuses: ['success', 'failed'] },
        { limit: 3, before },
      );
      pages.push(page.operations.map((listed) => listed.id));
      before = page.next ?? undefined;
    } while (before !== undefined);
    const all = [...others, ...same, ...mixed]
      .map((op) => op.id)
      .sort()
      .reverse();
    expect(pages.flat()).toEqual(all);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
  });

  it('finds operations by words of one of their messages, or of their name and error', async () => {
    const a = operation(1, { name: 'fetch-issues' });
    const b = operation(2, {
      status: 'failed',
      error: { code: 'token_refresh_failed', message: 'The provider said invalid_grant' },
    });
    const c = operation(3);
    const d = operation(4, { integration: 'slack' });
    await store.write({
      operations: [a, b, c, d],
      messages: [
        message(c.id, '429 from the provider, waiting 2 s'),
        message(c.id, 'Retry 2 of 3'),
        message(d.id, 'Café au lait, 429'),
      ],
    });
    expect(await ids({ text: 'issues' })).toEqual([a.id]);
    expect(await ids({ text: 'INVALID grant' })).toEqual([b.id]);
    expect(await ids({ text: 'provider grant refresh' })).toEqual([b.id]);
    expect(await ids({ text: 'token_refresh_failed' })).toEqual([b.id]);
    expect(await ids({ text: '429' })).toEqual([d.id, c.id]);
    expect(await ids({ text: 'waiting 429' })).toEqual([c.id]);
    expect(await ids({ text: '429 retry' })).toEqual([]); // words of one message, not of two
    expect(await ids({ text: 'prov*' })).toEqual([c.id, b.id]);
    expect(await ids({ text: 'café' })).toEqual([d.id]);
    expect(await ids({ text: 'cafe' })).toEqual([]);
    expect(await ids({ text: 'retry nothing' })).toEqual([]);
    expect(await ids({ text: '"OR" NEAR(x) -^' })).toEqual([]); // query syntax of neither database gets through
    expect(await ids({ text: '429', integration: 'slack' })).toEqual([d.id]);
    expect(await ids({ text: '429', to: T0 + 3 * MINUTE })).toEqual([c.id]);
    const page = await store.list({ text: '429' }, { limit: 1 });
    expect(page.operations.map((listed) => listed.id)).toEqual([d.id]);
    expect((await store.list({ text: '429' }, { limit: 1, before: page.next as string })).operations[0]?.id).toBe(c.id);
  });

  it('finds messages written in later batches, and an error set at the end', async () => {
    const op = operation(1, { status: 'running' });
    await store.write({ operations: [op], messages: [message(op.id, 'first batch')] });
    await store.write({ operations: [], messages: [message(op.id, 'second batch')] });
    await store.write({
      operations: [{ ...op, status: 'failed', error: { code: 'action_timeout', message: 'too slow' } }],
      messages: [],
    });
    expect(await ids({ text: 'first' })).toEqual([op.id]);
    expect(await ids({ text: 'second' })).toEqual([op.id]);
    expect(await ids({ text: 'slow' })).toEqual([op.id]);
    expect(await ids({ text: 'echo' })).toEqual([op.id]);
  });

  it('lists what came after an operation, oldest first, and reads several by id', async () => {
    const ops = [operation(1), operation(2, { kind: 'proxy' }), operation(3), operation(4)];
    await store.write({ operations: ops, messages: [] });
    const after = await store.listAfter({ kinds: ['action'] }, ops[0]!.id, 10);
    expect(after.map((listed) => listed.id)).toEqual([ops[2]!.id, ops[3]!.id]);
    expect((await store.listAfter({}, ops[0]!.id, 1)).map((listed) => listed.id)).toEqual([ops[1]!.id]);
    const many = await store.getMany([ops[3]!.id, ops[1]!.id, newOperationId()]);
    expect(many.map((listed) => listed.id).sort()).toEqual([ops[1]!.id, ops[3]!.id].sort());
    expect(await store.getMany([])).toEqual([]);
  });

  it('gives the pruning lease to one owner at a time', async () => {
    expect(await store.claimPruning('a', T0 + 1000, T0)).toBe(true);
    expect(await store.claimPruning('b', T0 + 2000, T0 + 500)).toBe(false);
    expect(await store.claimPruning('a', T0 + 3000, T0 + 600)).toBe(true); // renewed
    expect(await store.claimPruning('b', T0 + 4000, T0 + 2999)).toBe(false);
    expect(await store.claimPruning('b', T0 + 5000, T0 + 3000)).toBe(true); // it ran out
  });

  it('prunes by age and by count, oldest first, with messages and index entries', async () => {
    const ops = Array.from({ length: 6 }, (_, n) => operation(n * 60));
    await store.write({ operations: ops, messages: ops.map((op) => message(op.id, 'needle')) });

    expect(await store.pruneCutoff({})).toBeUndefined();
    const byAge = await store.pruneCutoff({ before: T0 + 150 * MINUTE });
    expect(byAge).toBe(operationIdFloor(T0 + 150 * MINUTE));
    const byCount = await store.pruneCutoff({ keep: 2 });
    expect(byCount).toBe(ops[4]!.id);
    expect(await store.pruneCutoff({ before: T0 + 150 * MINUTE, keep: 2 })).toBe(ops[4]!.id); // the stricter
    expect(await store.pruneCutoff({ before: T0 + 300 * MINUTE, keep: 5 })).toBe(operationIdFloor(T0 + 300 * MINUTE));
    expect(await store.pruneCutoff({ keep: 100 })).toBeUndefined();

    expect(await store.prune(byCount as string, 3)).toBe(3);
    expect(await store.prune(byCount as string, 3)).toBe(1);
    expect(await store.prune(byCount as string, 3)).toBe(0);
    expect(await ids({})).toEqual([ops[5]!.id, ops[4]!.id]);
    expect(await ids({ text: 'needle' })).toEqual([ops[5]!.id, ops[4]!.id]);
    expect((await store.messages(ops[0]!.id, { limit: 10 })).messages).toEqual([]);
    expect(await rawQuery(handle.store, 'SELECT count(*) AS n FROM operation_messages')).toEqual([{ n: 2 }]);
  });
});

describe('SQLite text search, both ways', () => {
  let store: SqliteStore;
  let search: SqliteOperationStore;

  beforeEach(async () => {
    store = new SqliteStore(':memory:', testCipher());
    // Tiny thresholds: density looked at every 2 documents; a walk of 4, 8, then 16 operations.
    const tuning = { sample: 2, chunk: 4, maxChunk: 16, maxChunks: 3, maxCollected: 100 };
    search = new SqliteOperationStore(store.database, { tuning });
  });
  afterEach(() => store.close());

  it('gives the same pages whichever way a search goes', async () => {
    const ops = Array.from({ length: 40 }, (_, n) =>
      operation(n, {
        name:
          n % 3 === 0
            ? 'common every3'
            : n < 5
              ? 'common old'
              : n === 7
                ? 'common unique'
                : n % 10 === 5
                  ? 'common sparse'
                  : 'common',
        integration: n % 2 ? 'a' : 'b',
      }),
    );
    // Written out of order, as several processes would: seqs no longer follow ids.
    await search.write({ operations: [...ops.slice(20), ...ops.slice(0, 20).reverse()], messages: [] });
    const expected = (test: (op: StoredOperation, n: number) => boolean) =>
      ops
        .filter(test)
        .map((op) => op.id)
        .reverse();
    const all = async (filter: OperationFilter, limit: number) => {
      const seen: string[] = [];
      let before: string | undefined;
      do {
        const page = await search.list(filter, { limit, before });
        seen.push(...page.operations.map((listed) => listed.id));
        before = page.next ?? undefined;
      } while (before !== undefined);
      return seen;
    };
    // unique: one match, collected and sorted; common and every3: dense, walked; sparse: 4 matches read 2 at a time,
    // too sparse for a walk to fill pages of 3, collected and sorted; old: dense at the top of the index (the
    // oldest operations were written last), but a walk of 28 operations from the newest meets none of them: it
    // gives up, and the database collects and sorts every match.
    expect(await all({ text: 'unique' }, 1)).toEqual(expected((_op, n) => n === 7));
    expect(await all({ text: 'sparse' }, 3)).toEqual(expected((_op, n) => n % 10 === 5 && n % 3 !== 0));
    expect(await all({ text: 'common' }, 7)).toEqual(expected(() => true));
    expect(await all({ text: 'every3' }, 5)).toEqual(expected((_op, n) => n % 3 === 0));
    expect(await all({ text: 'old' }, 2)).toEqual(expected((_op, n) => n < 5 && n % 3 !== 0));
    expect(await all({ text: 'common', integration: 'a' }, 3)).toEqual(expected((op) => op.integration === 'a'));
    expect(await all({ text: 'every3', to: T0 + 20 * MINUTE }, 2)).toEqual(expected((_op, n) => n % 3 === 0 && n <= 20));
  });
});

describe('SQLite writes on a thread of their own', () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-oplog-thread-'));
    store = new SqliteStore(join(dir, 'nango.sqlite'), testCipher());
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const many = (count: number) => Array.from({ length: count }, (_, n) => operation(n / 1000, { name: `op ${n}` }));

  it('writes a large batch while this thread keeps serving timers', async () => {
    const ops = many(8_000);
    const messages = ops.map((op) => message(op.id, 'fetched 12 records from page 3'));
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 2);
    const started = performance.now();
    try {
      await store.operations.write({ operations: ops, messages });
    } finally {
      clearInterval(timer);
    }
    const tookMs = performance.now() - started;
    expect((await store.operations.list({ text: 'records' }, { limit: 1 })).operations).toHaveLength(1);
    expect(await rawQuery(store, 'SELECT count(*) AS n FROM operations')).toEqual([{ n: 8_000 }]);
    // The pruning cutoff by count is a walk of the index: on the thread too.
    const newest = ops.map((op) => op.id).sort();
    expect(await store.operations.pruneCutoff({ keep: 10 })).toBe(newest[newest.length - 10]);
    // The write took long (hundreds of ms), yet the event loop went on: many ticks, none held up for the write.
    expect(ticks).toBeGreaterThan(10);
    expect(longestGap).toBeLessThan(tookMs / 2);
  }, 30_000);

  it('fails the writes in flight on a thread that dies, starts another, and refuses writes once closed', async () => {
    const thread = (store.operations as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread;
    const big = many(20_000);
    const inFlight = store.operations.write({ operations: big, messages: [] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await thread.worker.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'storage_error', message: expect.stringContaining('writer thread') });
    const ops = many(3);
    await store.operations.write({ operations: ops, messages: [] }); // on a new thread
    expect(await store.operations.get(ops[2]!.id)).toBeDefined();
    expect(await store.operations.get(big[0]!.id)).toBeUndefined(); // the dead thread's transaction rolled back
    await store.operations.close();
    await expect(store.operations.write({ operations: many(1), messages: [] })).rejects.toMatchObject({ code: 'storage_error' });
  }, 30_000);
});

describe('PostgreSQL text search over messages, both ways', () => {
  let handle: TestStore<PgStore>;
  let search: PgOperationStore;

  beforeEach(async () => {
    handle = await pgTestStore();
    // More than 2 matching messages: the words are "common", met walking the newest operations.
    search = new PgOperationStore(handle.store.pg, { rare: 2 });
  });
  afterEach(() => handle.dispose());

  it('gives the same pages whichever way a search goes', async () => {
    const ops = Array.from({ length: 30 }, (_, n) => operation(n, { integration: n % 2 ? 'a' : 'b' }));
    const text = (n: number) => (n % 3 === 0 ? 'common every3' : n === 7 ? 'common unique' : 'common');
    await search.write({ operations: ops, messages: ops.map((op, n) => message(op.id, text(n))) });
    const expected = (test: (op: StoredOperation, n: number) => boolean) =>
      ops
        .filter(test)
        .map((op) => op.id)
        .reverse();
    const all = async (filter: OperationFilter, limit: number) => {
      const seen: string[] = [];
      let before: string | undefined;
      do {
        const page = await search.list(filter, { limit, before });
        seen.push(...page.operations.map((listed) => listed.id));
        before = page.next ?? undefined;
      } while (before !== undefined);
      return seen;
    };
    expect(await all({ text: 'unique' }, 1)).toEqual(expected((_op, n) => n === 7)); // the messages' GIN index
    expect(await all({ text: 'common' }, 7)).toEqual(expected(() => true)); // walked
    expect(await all({ text: 'every3' }, 4)).toEqual(expected((_op, n) => n % 3 === 0)); // walked
    expect(await all({ text: 'every3', integration: 'a' }, 2)).toEqual(
      expected((op, n) => n % 3 === 0 && op.integration === 'a'),
    );
    expect(await all({ text: 'echo' }, 10)).toEqual(expected(() => true)); // the operations' own name
  });
});
