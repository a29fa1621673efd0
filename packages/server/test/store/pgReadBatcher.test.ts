import { PgStore } from '../../src/store/postgres/PgStore';
import { ReadBatcher } from '../../src/store/postgres/ReadBatcher';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { testCipher } from '../helpers/testCipher';

describe('ReadBatcher', () => {
  const doubling = () => {
    const calls = { one: [] as number[], many: [] as number[][] };
    const batcher = new ReadBatcher<number, number>(
      async (key) => (calls.one.push(key), key * 2),
      async (keys) => (calls.many.push([...keys]), keys.map((key) => key * 2)),
      4,
    );
    return { calls, batcher };
  };

  it('sends a lone read by itself, and reads asked together as one batch, each getting its own result', async () => {
    const { calls, batcher } = doubling();
    expect(await batcher.load(1)).toBe(2);
    expect(await Promise.all([batcher.load(2), batcher.load(3), batcher.load(3)])).toEqual([4, 6, 6]);
    expect(calls).toEqual({ one: [1], many: [[2, 3, 3]] });
  });

  it('sends at most maxBatch keys in one statement', async () => {
    const { calls, batcher } = doubling();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((key) => batcher.load(key)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12]);
    expect(calls.many).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('rejects every read of a batch that failed, and the next batch starts afresh', async () => {
    let fail = true;
    const batcher = new ReadBatcher<number, number>(
      async (key) => key,
      async (keys) => {
        if (fail) throw new Error('database down');
        return [...keys];
      },
    );
    const failed = await Promise.allSettled([batcher.load(1), batcher.load(2)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await Promise.all([batcher.load(3), batcher.load(4)])).toEqual([3, 4]);
  });
});

describe('PgConnectionStore batched reads', () => {
  let database: TestDatabase;
  let store: PgStore;
  beforeEach(async () => {
    database = await createTestDatabase();
    store = await PgStore.open(database.url, testCipher(), { poolSize: 2 });
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('answers reads asked together as single reads would, in one statement', async () => {
    const connections = store.connections;
    for (let user = 0; user < 5; user++) {
      for (const integration of ['slack', 'github']) {
        await connections.insert({
          integration,
          userId: `u${user}`,
          credentials: { api_key: `${integration}-${user}`, raw: { api_key: `${integration}-${user}` } },
          additionalConfig: { user, integration },
        });
      }
    }
    const alone = await connections.get('slack', 'u3');
    const statements: unknown[] = [];
    const query = store.pg.query.bind(store.pg);
    store.pg.query = ((statement: unknown, values?: unknown[]) => {
      statements.push(statement);
      return query(statement as string, values);
    }) as typeof store.pg.query;
    const asked = [0, 1, 2, 3, 4, 3, 9].flatMap((user) => [
      connections.get('slack', `u${user}`),
      connections.get('github', `u${user}`),
    ]);
    const listed = [0, 4, 9, 0].map((user) => connections.listByUserId(`u${user}`));
    const got = await Promise.all(asked);
    const lists = await Promise.all(listed);
    expect(statements).toHaveLength(2); // one for the gets, one for the lists

    expect(got.map((connection) => connection && `${connection.integration}/${connection.userId}`)).toEqual([
      ...[0, 1, 2, 3, 4, 3].flatMap((user) => [`slack/u${user}`, `github/u${user}`]),
      undefined,
      undefined,
    ]);
    expect(got[0]?.credentials).toEqual({ api_key: 'slack-0', raw: { api_key: 'slack-0' } });
    expect(got[7]?.additionalConfig).toEqual({ user: 3, integration: 'github' });
    expect(got[6]).toEqual(alone);
    expect(lists.map((list) => list.map((connection) => connection.integration))).toEqual([
      ['github', 'slack'],
      ['github', 'slack'],
      [],
      ['github', 'slack'],
    ]);
  });
});
