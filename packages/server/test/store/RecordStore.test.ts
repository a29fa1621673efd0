import type { RecordScope, RecordStore } from '../../src/store/RecordStore';
import { payloadHash } from '../../src/store/RecordStore';
import { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { loadKeyring, generateKey } from '../../src/encryption/Keyring';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const scope: RecordScope = { connection: 'conn-uuid-1', model: 'Issue', variant: 'base' };
const other: RecordScope = { connection: 'conn-uuid-2', model: 'Issue', variant: 'base' };
const T0 = Date.UTC(2026, 0, 1);

function issues(from: number, to: number, title = 'issue'): Array<{ id: string; payload: Record<string, unknown> }> {
  const list = [];
  for (let n = from; n < to; n += 1)
    list.push({ id: `i-${String(n).padStart(5, '0')}`, payload: { id: n, title: `${title} ${n}` } });
  return list;
}

describe.each(STORE_KINDS)('RecordStore on %s', (_kind, open) => {
  let handle: TestStore;
  let records: RecordStore;

  beforeEach(async () => {
    handle = await open();
    records = handle.store.records;
  });
  afterEach(() => handle.dispose());

  it('tells added, updated and unchanged records apart, whatever the key order', async () => {
    expect(await records.save(scope, issues(0, 3), { runId: 'r1', encrypt: true, now: T0 })).toEqual({
      added: 3,
      updated: 0,
      unchanged: 0,
    });
    const again = [
      { id: 'i-00000', payload: { title: 'issue 0', id: 0 } },
      { id: 'i-00001', payload: { id: 1, title: 'changed' } },
    ];
    expect(await records.save(scope, again, { runId: 'r2', encrypt: true, now: T0 + 10 })).toEqual({
      added: 0,
      updated: 1,
      unchanged: 1,
    });
    expect(await records.count(scope)).toEqual({ total: 3, deleted: 0 });
    const { records: page } = await records.list(scope, { limit: 10 });
    // The changed record moved to the end; the unchanged one kept its place and time.
    expect(page.map((record) => [record.id, record.lastAction])).toEqual([
      ['i-00000', 'ADDED'],
      ['i-00002', 'ADDED'],
      ['i-00001', 'UPDATED'],
    ]);
    expect(page[0]?.lastModifiedAt).toBe(T0);
    expect(page[2]?.lastModifiedAt).toBe(T0 + 10);
    expect(page[2]?.payload).toEqual({ id: 1, title: 'changed' });
    expect(page[2]?.firstSeenAt).toBe(T0);
    expect(payloadHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(payloadHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
  });

  it('pages with a cursor, and a cursor picks up what changed after it', async () => {
    await records.save(scope, issues(0, 25), { runId: 'r1', encrypt: true, now: T0 });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await records.list(scope, { limit: 10, ...(cursor !== undefined && { cursor }) });
      seen.push(...page.records.map((record) => record.id));
      if (page.nextCursor === null) {
        cursor = page.records[page.records.length - 1]?.cursor;
        break;
      }
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(issues(0, 25).map((record) => record.id));
    // Saved in the same millisecond, later writes still come after the reader's cursor.
    await records.save(scope, [{ id: 'i-00003', payload: { id: 3, title: 'edited' } }, ...issues(25, 27)], {
      runId: 'r2',
      encrypt: true,
      now: T0,
    });
    const after = await records.list(scope, { limit: 10, cursor: cursor as string });
    expect(after.records.map((record) => [record.id, record.lastAction])).toEqual([
      ['i-00003', 'UPDATED'],
      ['i-00025', 'ADDED'],
      ['i-00026', 'ADDED'],
    ]);
    expect(after.nextCursor).toBeNull();
    expect((await records.list(other, { limit: 10 })).records).toEqual([]);
  });

  it('filters by action, ids and modification time', async () => {
    await records.save(scope, issues(0, 4), { runId: 'r1', encrypt: true, now: T0 });
    await records.save(scope, [{ id: 'i-00001', payload: { id: 1, title: 'x' } }], {
      runId: 'r2',
      encrypt: true,
      now: T0 + 5_000,
    });
    expect(
      await records.markDeleted(scope, ['i-00002', 'nope', 'i-00002'], { runId: 'r2', encrypt: true, now: T0 + 6_000 }),
    ).toBe(1);
    const ids = async (query: Parameters<RecordStore['list']>[1]) => (await records.list(scope, query)).records.map((r) => r.id);
    expect(await ids({ limit: 10, actions: ['ADDED'] })).toEqual(['i-00000', 'i-00003']);
    expect(await ids({ limit: 10, actions: ['UPDATED', 'DELETED'] })).toEqual(['i-00001', 'i-00002']);
    expect(await ids({ limit: 10, ids: ['i-00003', 'i-00000'] })).toEqual(['i-00000', 'i-00003']);
    expect(await ids({ limit: 10, modifiedAfter: T0 })).toEqual(['i-00001', 'i-00002']);
    expect(await ids({ limit: 10, modifiedAfter: T0 + 5_000 })).toEqual(['i-00002']);
    const deleted = (await records.list(scope, { limit: 10, ids: ['i-00002'] })).records[0];
    expect(deleted).toMatchObject({ lastAction: 'DELETED', deletedAt: T0 + 6_000, payload: { id: 2, title: 'issue 2' } });
    expect(await records.count(scope)).toEqual({ total: 4, deleted: 1 });
    // A deleted record that comes back is added again.
    expect(await records.save(scope, issues(2, 3), { runId: 'r3', encrypt: true, now: T0 + 7_000 })).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    expect((await records.list(scope, { limit: 10, ids: ['i-00002'] })).records[0]).toMatchObject({
      lastAction: 'ADDED',
      deletedAt: null,
    });
  });

  it('marks what a full run did not see as deleted', async () => {
    await records.save(scope, issues(0, 5), { runId: 'run-1', encrypt: true, now: T0 });
    await records.save(other, issues(0, 2), { runId: 'run-1', encrypt: true, now: T0 });
    await records.save(scope, [...issues(0, 2), ...issues(3, 4)], { runId: 'run-2', encrypt: true, now: T0 + 1 });
    expect((await records.markUnseenDeleted(scope, 'run-2', T0 + 2)).sort()).toEqual(['i-00002', 'i-00004']);
    const deleted = await records.list(scope, { limit: 10, actions: ['DELETED'] });
    expect(deleted.records.map((record) => record.id)).toEqual(['i-00002', 'i-00004']);
    expect(await records.markUnseenDeleted(scope, 'run-2', T0 + 3)).toEqual([]);
    expect(await records.count(other)).toEqual({ total: 2, deleted: 0 });
  });

  it('keeps payloads sealed unless asked not to, bound to their row', async () => {
    await records.save(scope, [{ id: 'a', payload: { secret: 'sk-very-private' } }], { runId: 'r', encrypt: true });
    await records.save(other, [{ id: 'b', payload: { open: 'plain-value' } }], { runId: 'r', encrypt: false });
    const rows = await rawQuery<{ id: string; data: string; key_id: string | null }>(
      handle.store,
      'SELECT id, data, key_id FROM records ORDER BY id',
    );
    expect(rows[0]?.data).not.toContain('sk-very-private');
    expect(rows[0]?.key_id).toBe(handle.cipher.currentKeyId);
    expect(rows[1]).toMatchObject({ data: JSON.stringify({ open: 'plain-value' }), key_id: null });
    expect((await records.list(scope, { limit: 1 })).records[0]?.payload).toEqual({ secret: 'sk-very-private' });
    // A ciphertext moved to another record does not open.
    await records.save(scope, [{ id: 'c', payload: { x: 1 } }], { runId: 'r', encrypt: true });
    await rawQuery(handle.store, "UPDATE records SET data = ? WHERE id = 'c'", [rows[0]?.data]);
    await expect(records.list(scope, { limit: 10 })).rejects.toMatchObject({ code: 'storage_error' });
  });

  it('prunes payloads up to a cursor and keeps their metadata', async () => {
    await records.save(scope, issues(0, 6), { runId: 'r', encrypt: true, now: T0 });
    const page = await records.list(scope, { limit: 4 });
    const until = page.records[3]?.cursor as string;
    expect(await records.prune(scope, until, 3, T0 + 9)).toEqual({ count: 3, hasMore: true });
    expect(await records.prune(scope, until, 3, T0 + 9)).toEqual({ count: 1, hasMore: false });
    const all = (await records.list(scope, { limit: 10 })).records;
    expect(all.map((record) => record.payload === null)).toEqual([true, true, true, true, false, false]);
    expect(all[0]).toMatchObject({ id: 'i-00000', lastAction: 'ADDED', prunedAt: T0 + 9, firstSeenAt: T0 });
  });

  it('refuses a cursor it did not make, and deletes by scope or Connection', async () => {
    await expect(records.list(scope, { limit: 1, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_request' });
    await records.save(scope, issues(0, 3), { runId: 'r', encrypt: true });
    await records.save({ ...scope, model: 'Comment' }, issues(0, 2), { runId: 'r', encrypt: true });
    await records.save(other, issues(0, 2), { runId: 'r', encrypt: true });
    expect(await records.clear({ ...scope, model: 'Comment' })).toBe(2);
    expect(await records.deleteConnection(scope.connection)).toBe(3);
    expect(await records.count(scope)).toEqual({ total: 0, deleted: 0 });
    expect(await records.count(other)).toEqual({ total: 2, deleted: 0 });
  });

  it('goes with its Connection, whichever door deletes it', async () => {
    const connection = await handle.store.connections.insert({
      integration: 'github',
      userId: 'u1',
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
    const mine = { ...scope, connection: connection.uuid };
    await records.save(mine, issues(0, 3), { runId: 'r', encrypt: true });
    await records.save(other, issues(0, 2), { runId: 'r', encrypt: true });
    expect(await handle.store.connections.delete('github', 'u1')).toBe(true);
    expect(await records.count(mine)).toEqual({ total: 0, deleted: 0 });
    expect(await records.count(other)).toEqual({ total: 2, deleted: 0 });
  });

  it('re-seals payloads under the current key for rotate-key, and names the keys in use', async () => {
    const [oldKey, newKey] = [generateKey(), generateKey()];
    const own = await open(cipherOf({ NANGO_ENCRYPTION_KEY: oldKey }));
    try {
      const store = own.store.records;
      await store.save(scope, issues(0, 3), { runId: 'r', encrypt: true });
      await store.save(other, issues(0, 1), { runId: 'r', encrypt: false });
      expect(await store.keyIdsInUse()).toEqual([own.cipher.currentKeyId]);
      const rotated = cipherOf({ NANGO_ENCRYPTION_KEY: newKey, NANGO_ENCRYPTION_OLD_KEYS: oldKey });
      expect(await store.reencryptBatch(rotated, 2)).toBe(2);
      expect(await store.reencryptBatch(rotated, 2)).toBe(1);
      expect(await store.reencryptBatch(rotated, 2)).toBe(0);
      expect(await store.keyIdsInUse()).toEqual([rotated.currentKeyId]);
      // The store's own cipher knows only the old key now: the payloads are really under the new one.
      await expect(store.list(scope, { limit: 1 })).rejects.toMatchObject({ code: 'storage_error' });
    } finally {
      await own.dispose();
    }
  });
});

function cipherOf(env: NodeJS.ProcessEnv): CredentialCipher {
  return new CredentialCipher(loadKeyring(env, ':memory:'));
}
