import Database from 'better-sqlite3';
import type pg from 'pg';
import { numbered, PgRunner, type PgQueryable } from '../../src/store/postgres/PgRunner';
import { SqliteRunner, STATEMENT_CACHE_SIZE } from '../../src/store/sqlite/SqliteRunner';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { testCipher } from '../helpers/testCipher';

describe('SqliteRunner', () => {
  let db: Database.Database;
  let runner: SqliteRunner;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    runner = SqliteRunner.of(db);
  });
  afterEach(() => db.close());

  it('prepares a text once and reuses the statement, and is one runner per handle', async () => {
    const prepare = jest.spyOn(db, 'prepare');
    for (let i = 0; i < 5; i++) await runner.run('INSERT INTO t (id, name) VALUES (?, ?)', [i, `n${i}`]);
    expect(await runner.get<{ n: number }>('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 5 });
    expect(await runner.all<{ name: string }>('SELECT name FROM t WHERE id < ? ORDER BY id', [2])).toEqual([
      { name: 'n0' },
      { name: 'n1' },
    ]);
    expect(prepare).toHaveBeenCalledTimes(3);
    expect(runner.cached).toBe(3);
    expect(SqliteRunner.of(db)).toBe(runner);
  });

  it(`keeps at most ${STATEMENT_CACHE_SIZE} statements, dropping the oldest first`, async () => {
    const text = (n: number) => `SELECT ${n} AS n`;
    for (let n = 0; n < STATEMENT_CACHE_SIZE + 10; n++) await runner.get(text(n));
    expect(runner.cached).toBe(STATEMENT_CACHE_SIZE);
    const prepare = jest.spyOn(db, 'prepare');
    await runner.get(text(STATEMENT_CACHE_SIZE + 9)); // among the newest: still cached
    expect(prepare).not.toHaveBeenCalled();
    expect(await runner.get(text(0))).toEqual({ n: 0 }); // the oldest was dropped: prepared again
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(runner.cached).toBe(STATEMENT_CACHE_SIZE);
  });

  it("rejects with storage_error naming SQLite's code, for a bad text and for a refused write", async () => {
    await expect(runner.all('SELECT nothing FROM nowhere')).rejects.toThrow(
      expect.objectContaining({ code: 'storage_error', message: expect.stringContaining('SQLITE_ERROR') }),
    );
    await expect(runner.run('INSERT INTO t (id, name) VALUES (?, ?)', [1, null])).rejects.toThrow(
      expect.objectContaining({ code: 'storage_error', message: expect.stringContaining('SQLITE_CONSTRAINT_NOTNULL') }),
    );
  });

  it('runs a transaction whole or not at all', async () => {
    expect(() =>
      runner.transaction(() => {
        runner.runNow('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'kept?']);
        runner.runNow('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'duplicate']);
      }),
    ).toThrow(expect.objectContaining({ code: 'storage_error' }));
    expect(runner.getNow('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 0 });
    expect(runner.transaction(() => runner.runNow('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'one']))).toBe(1);
    expect(runner.allNow('SELECT name FROM t')).toEqual([{ name: 'one' }]);
  });
});

describe('SqliteStore statement cache', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:', testCipher());
  });
  afterEach(() => store.close());

  it('reads a page of records without preparing its query again', async () => {
    const scope = { connection: 'c1', model: 'Issue', variant: 'base' };
    const saved = Array.from({ length: 5 }, (_, n) => ({ id: `i${n}`, payload: { n } }));
    await store.records.save(scope, saved, { runId: 'r1', encrypt: true });
    const first = await store.records.list(scope, { limit: 2 });
    const prepare = jest.spyOn(store.database, 'prepare');
    const next = await store.records.list(scope, { limit: 2, cursor: first.nextCursor ?? undefined });
    await store.records.list(scope, { limit: 2, cursor: next.nextCursor ?? undefined });
    expect(next.records.map((record) => record.id)).toEqual(['i2', 'i3']);
    expect(prepare).toHaveBeenCalledTimes(1); // the page after a cursor, once; the first page's text was cached
  });

  it("shares one cache across the store's parts", async () => {
    await store.connections.listAll();
    await store.asyncActions.prune(Date.now());
    const cached = SqliteRunner.of(store.database).cached;
    await store.connections.listAll();
    await store.asyncActions.prune(Date.now());
    expect(cached).toBeGreaterThanOrEqual(2);
    expect(SqliteRunner.of(store.database).cached).toBe(cached);
  });
});

describe('PgRunner', () => {
  it('numbers ? placeholders in order, once per text', () => {
    expect(numbered('SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?')).toBe(
      'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4',
    );
    expect(numbered('SELECT 1')).toBe('SELECT 1');
  });

  it('sends the numbered text with the values, and reads rows, the first row and the count changed', async () => {
    const sent: Array<{ text: string; values: unknown[] | undefined }> = [];
    const fake: PgQueryable = {
      query: async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
        sent.push({ text, values });
        return { rows: [{ id: 1 }, { id: 2 }], rowCount: 2 } as unknown as pg.QueryResult<R>;
      },
    };
    const runner = new PgRunner(fake);
    expect(await runner.all('SELECT id FROM t WHERE a = ? AND b = ?', ['x', 2])).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await runner.get('SELECT id FROM t')).toEqual({ id: 1 });
    expect(await runner.run('DELETE FROM t WHERE id = ?', [1])).toBe(2);
    expect(sent).toEqual([
      { text: 'SELECT id FROM t WHERE a = $1 AND b = $2', values: ['x', 2] },
      { text: 'SELECT id FROM t', values: [] },
      { text: 'DELETE FROM t WHERE id = $1', values: [1] },
    ]);
  });
});
