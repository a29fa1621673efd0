import pg from 'pg';
import { PgStore } from '../../src/store/postgres/PgStore';
import type { RecordInput, RecordScope, SaveResult } from '../../src/store/RecordStore';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { testCipher } from '../helpers/testCipher';

const scope: RecordScope = { connection: 'conn-uuid-1', model: 'Issue', variant: 'base' };

function issues(from: number, to: number, title: string): RecordInput[] {
  const list: RecordInput[] = [];
  for (let n = from; n < to; n += 1) list.push({ id: `i-${String(n).padStart(5, '0')}`, payload: { id: n, title } });
  return list;
}

function sum(results: SaveResult[]): SaveResult {
  return results.reduce(
    (total, r) => ({
      added: total.added + r.added,
      updated: total.updated + r.updated,
      unchanged: total.unchanged + r.unchanged,
    }),
    { added: 0, updated: 0, unchanged: 0 },
  );
}

/**
 * PostgreSQL saves a batch of records in one call of `records_save` (migration 14). What the shared RecordStore suite
 * cannot see from one process: two workers writing one scope at once, and the plans of the function's statements.
 */
describe('PgRecordStore.save', () => {
  let database: TestDatabase;
  let stores: PgStore[];

  beforeEach(async () => {
    database = await createTestDatabase();
    const cipher = testCipher();
    stores = [
      await PgStore.open(database.url, cipher, { poolSize: 2 }),
      await PgStore.open(database.url, cipher, { poolSize: 2 }),
    ];
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    await database.drop();
  });

  it('keeps stamps unique and every change counted once when two workers write one scope at once', async () => {
    const [a, b] = stores as [PgStore, PgStore];
    const write = async (store: PgStore, from: number, to: number, title: string) => {
      const results: SaveResult[] = [];
      for (let at = from; at < to; at += 50) {
        results.push(await store.records.save(scope, issues(at, at + 50, title), { runId: title, encrypt: true }));
      }
      return sum(results);
    };
    // Both write ids 250–499; whichever saves one first adds it, the other updates it.
    const first = await Promise.all([write(a, 0, 500, 'a'), write(b, 250, 750, 'b')]);
    const both = sum(first);
    expect(both.added).toBe(750);
    expect(both.added + both.updated + both.unchanged).toBe(1_000);
    expect(both.updated).toBe(250);

    // A reader that paged to the end, then reads again from its cursor after more writes, gets each change once.
    let page = await a.records.list(scope, { limit: 1_000 });
    expect(page.records).toHaveLength(750);
    const cursor = page.records[page.records.length - 1]?.cursor as string;
    // 0–99 come again as they are (0–49 twice), 100–199 and 700–749 change, 750–799 are new.
    const second = sum(
      await Promise.all([write(a, 0, 100, 'a'), write(b, 100, 200, 'c'), write(a, 700, 800, 'd'), write(b, 0, 50, 'a')]),
    );
    expect(second).toEqual({ added: 50, updated: 150, unchanged: 150 });
    const seen: string[] = [];
    page = await a.records.list(scope, { limit: 70, cursor });
    for (;;) {
      seen.push(...page.records.map((record) => record.id));
      if (page.nextCursor === null) break;
      page = await a.records.list(scope, { limit: 70, cursor: page.nextCursor });
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(second.added + second.updated);

    const { rows } = await a.pg.query<{ total: number; stamps: number }>(
      'SELECT count(*)::int AS total, count(DISTINCT modified_at)::int AS stamps FROM records',
    );
    expect(rows[0]).toEqual({ total: 800, stamps: 800 });
  });

  it('plans on the primary key and the stamp index alone, even where statistics say the scope is empty', async () => {
    const [store] = stores as [PgStore];
    for (let at = 0; at < 5_000; at += 500) {
      await store.records.save(scope, issues(at, at + 500, 'first'), { runId: 'r1', encrypt: true });
    }
    // The table was never analysed: the planner takes a scope for a row or two. Whole-scope scans would show here.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const plans: string[] = [];
    client.on('notice', (notice) => plans.push(notice.message ?? ''));
    try {
      await client.query("LOAD 'auto_explain'");
      await client.query(
        "SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = 'notice'; SET client_min_messages = notice",
      );
      const ids = issues(1_000, 1_100, 'x').map((record) => record.id);
      const values = [scope.connection, scope.model, scope.variant, Date.now(), 'r2', ids, ids, ids, ids.map(() => null)];
      // Seven calls: PL/pgSQL switches to generic plans after five.
      for (let call = 0; call < 7; call += 1) {
        await client.query('SELECT * FROM records_save($1, $2, $3, $4, $5, $6, $7, $8, $9)', values);
      }
    } finally {
      await client.end();
    }
    const statements = plans.filter((plan) => /FROM records r|INSERT INTO records/.test(plan));
    expect(statements.length).toBeGreaterThanOrEqual(14);
    for (const plan of statements) {
      expect(plan).not.toMatch(/Seq Scan|Hash|Bitmap|Sort/);
      if (plan.includes('ORDER BY r.modified_at DESC')) {
        expect(plan).toMatch(/Index Only Scan Backward using records_by_stamp/);
        expect(plan).toMatch(/Limit/);
      } else {
        expect(plan).toMatch(/Conflict Arbiter Indexes: records_pkey/);
      }
    }
  });
});
