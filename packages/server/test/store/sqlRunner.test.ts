import Database from 'better-sqlite3';
import type pg from 'pg';
import { NAMED_STATEMENTS_LIMIT, numbered, PgRunner, statement, type PgQueryable } from '../../src/store/postgres/PgRunner';
import { PgStore } from '../../src/store/postgres/PgStore';
import { SqliteRunner, STATEMENT_CACHE_SIZE } from '../../src/store/sqlite/SqliteRunner';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
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
    const sent: pg.QueryConfig[] = [];
    const fake: PgQueryable = {
      query: async <R extends pg.QueryResultRow>(config: pg.QueryConfig) => {
        sent.push(config);
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

describe('PgRunner on PostgreSQL', () => {
  let database: TestDatabase;
  let store: PgStore;
  beforeEach(async () => {
    database = await createTestDatabase();
    store = await PgStore.open(database.url, testCipher(), { poolSize: 1 });
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('prepares a named statement once per connection, and a schema change costs a connection, not the calls after', async () => {
    const runner = new PgRunner(store.pg);
    await store.pg.query('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    await store.pg.query("INSERT INTO t VALUES (1, 'one')");
    const read = 'SELECT * FROM t WHERE id = ?';
    for (let run = 0; run < 5; run++) expect(await runner.get(read, [1])).toEqual({ id: 1, name: 'one' });
    const prepared = await store.pg.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM t WHERE id = $1'",
    );
    expect(prepared.rows).toEqual([{ n: 1 }]);
    // Another worker's migration changes the rows the statement returns: its plan is stale on this connection.
    await store.pg.query('ALTER TABLE t ADD COLUMN extra TEXT');
    await expect(store.pg.transaction((client) => new PgRunner(client).get(read, [1]))).rejects.toMatchObject({
      code: 'storage_error',
    });
    expect(await runner.get(read, [1])).toEqual({ id: 1, name: 'one', extra: null });
  });
});

// Last in the file: it gives out every name the process has (the names are the module's, one per text).
describe('PgRunner statement names', () => {
  it(`names a text from its third run on, one name per text, ${NAMED_STATEMENTS_LIMIT} texts at most`, () => {
    const text = (n: number) => `SELECT ${n} AS n FROM t WHERE id = ?`;
    const runs = [1, 2, 3, 4].map((id) => statement(text(0), [id]));
    expect(runs.map((run) => run.name)).toEqual([undefined, undefined, expect.stringMatching(/^nango_\d+$/), runs[2]?.name]);
    expect(runs[3]).toEqual({ name: runs[2]?.name, text: 'SELECT 0 AS n FROM t WHERE id = $1', values: [4] });
    const names = new Set<string>();
    for (let n = 1; n <= NAMED_STATEMENTS_LIMIT + 20; n++) {
      for (let run = 0; run < 3; run++) {
        const sent = statement(text(n), [n]);
        if (sent.name !== undefined) names.add(sent.name);
      }
    }
    // Every text named once, under a name of its own, until the limit; past it texts go unnamed.
    expect(names.size).toBeLessThanOrEqual(NAMED_STATEMENTS_LIMIT);
    expect(statement(text(NAMED_STATEMENTS_LIMIT + 20), [1]).name).toBeUndefined();
    expect(statement(text(1), [1]).name).toEqual(expect.stringMatching(/^nango_\d+$/));
  });
});
