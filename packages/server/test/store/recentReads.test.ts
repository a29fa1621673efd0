import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgStore } from '../../src/store/postgres/PgStore';
import { RecentReads } from '../../src/store/RecentReads';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { Store } from '../../src/store/Store';
import { createTestDatabase } from '../helpers/pgDatabase';
import { testCipher } from '../helpers/testCipher';

/** Two store objects on one database: `mine` plays this process, `theirs` another worker or API process. */
interface TwoProcesses {
  mine: Store;
  theirs: Store;
  dispose(): Promise<void>;
}

async function sqliteTwo(): Promise<TwoProcesses> {
  const dir = mkdtempSync(join(tmpdir(), 'nango-recent-'));
  const cipher = testCipher();
  const mine = new SqliteStore(join(dir, 'nango.sqlite'), cipher);
  const theirs = new SqliteStore(join(dir, 'nango.sqlite'), cipher);
  return {
    mine,
    theirs,
    dispose: async () => {
      await theirs.close();
      await mine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pgTwo(): Promise<TwoProcesses> {
  const database = await createTestDatabase();
  const cipher = testCipher();
  const mine = await PgStore.open(database.url, cipher, { poolSize: 2 });
  const theirs = await PgStore.open(database.url, cipher, { poolSize: 2 });
  return {
    mine,
    theirs,
    dispose: async () => {
      await theirs.close();
      await mine.close();
      await database.drop();
    },
  };
}

// Long enough that the steps between a read and the checks that it was kept run well within it on a loaded machine.
const BOUND_MS = 1500;

describe.each([
  ['sqlite', sqliteTwo],
  ['postgres', pgTwo],
] as const)('reads a proxy call may reuse, on %s', (_kind, open) => {
  let two: TwoProcesses;
  beforeEach(async () => {
    two = await open();
  });
  afterEach(() => two.dispose());

  const credentials = (key: string) => ({ api_key: key, raw: { api_key: key } });
  const keyOf = async (maxAgeMs = BOUND_MS) =>
    ((await two.mine.connections.getRecent('api', 'u1', maxAgeMs))?.credentials as { api_key?: string } | undefined)?.api_key;

  it("sees another process's new credentials at most the bound late, and its own writes at once", async () => {
    await two.theirs.connections.insert({
      integration: 'api',
      userId: 'u1',
      credentials: credentials('k1'),
      additionalConfig: {},
    });
    const firstRead = Date.now();
    expect(await keyOf()).toBe('k1');
    await two.theirs.connections.updateCredentials('api', 'u1', credentials('k2'));
    const written = Date.now();
    // Within the bound this process may keep its copy (it does: no round trip), but never past it: a read that starts
    // BOUND_MS after the write sees it.
    if (Date.now() - firstRead < BOUND_MS / 2) expect(await keyOf()).toBe('k1');
    await sleep(Math.max(0, written + BOUND_MS + 10 - Date.now()));
    expect(await keyOf()).toBe('k2');
    // A bound of 0 reads the store every time.
    await two.theirs.connections.updateCredentials('api', 'u1', credentials('k3'));
    expect(await keyOf(0)).toBe('k3');

    // This process's writes, of every kind, drop what it kept (k2, read less than the bound ago).
    await two.mine.connections.updateCredentials('api', 'u1', credentials('k4'));
    expect(await keyOf()).toBe('k4');
    const version = (await two.mine.connections.credentialsVersion((await two.mine.connections.get('api', 'u1'))!.uuid))!;
    const uuid = (await two.mine.connections.get('api', 'u1'))!.uuid;
    await two.mine.connections.replaceCredentials(uuid, credentials('k5'), version);
    expect(await keyOf()).toBe('k5');
    await two.mine.connections.markNeedsReauthorization(uuid, 'refused', version + 1);
    expect((await two.mine.connections.getRecent('api', 'u1', BOUND_MS))?.authorization).toBe('needs_reauthorization');
    await two.mine.connections.delete('api', 'u1');
    expect(await keyOf()).toBeUndefined();
  });

  it('never keeps a missing Connection: one made by another process is found at once', async () => {
    expect(await keyOf()).toBeUndefined();
    await two.theirs.connections.insert({
      integration: 'api',
      userId: 'u1',
      credentials: credentials('k1'),
      additionalConfig: {},
    });
    expect(await keyOf()).toBe('k1');
  });

  it("holds a limit this process learns at once, another's at most the bound late, and a lifted one no longer", async () => {
    const mine = two.mine.rateLimits;
    const firstRead = Date.now();
    expect(await mine.getRecent('c1', BOUND_MS)).toBeUndefined(); // none in force: kept too
    await two.theirs.rateLimits.hold('c1', { untilMs: Date.now() + 60_000, reason: 'theirs' });
    const written = Date.now();
    if (Date.now() - firstRead < BOUND_MS / 2) expect(await mine.getRecent('c1', BOUND_MS)).toBeUndefined();
    await sleep(Math.max(0, written + BOUND_MS + 10 - Date.now()));
    expect(await mine.getRecent('c1', BOUND_MS)).toMatchObject({ reason: 'theirs' });

    await mine.hold('c2', { untilMs: Date.now() + 60_000, reason: 'mine' });
    expect(await mine.getRecent('c2', BOUND_MS)).toMatchObject({ reason: 'mine' });

    const liftsAt = Date.now() + 200;
    await mine.hold('c3', { untilMs: liftsAt, reason: 'short' });
    expect(await mine.getRecent('c3', BOUND_MS)).toMatchObject({ reason: 'short' });
    await sleep(Math.max(0, liftsAt + 10 - Date.now()));
    expect(await mine.getRecent('c3', BOUND_MS, Date.now())).toBeUndefined();
  });
});

describe('RecentReads', () => {
  it('keeps a value for its age from the start of its read, and not one whose read a write overtook', async () => {
    let now = 1000;
    const reads = new RecentReads<string>(10, () => now);
    let calls = 0;
    const read = (value: string) => async () => {
      calls++;
      return value;
    };
    expect(await reads.through('a', 100, read('a1'))).toBe('a1');
    now = 1099;
    expect(await reads.through('a', 100, read('a2'))).toBe('a1');
    now = 1100;
    expect(await reads.through('a', 100, read('a3'))).toBe('a3');
    expect(calls).toBe(2);

    // A write that ends while a read is on its way: the read's value is returned but not kept.
    let release: () => void = () => undefined;
    const slow = reads.through('b', 100, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'b-old';
    });
    reads.wrote();
    release();
    expect(await slow).toBe('b-old');
    expect(await reads.through('b', 100, read('b-new'))).toBe('b-new');
  });

  it('keeps at most its bound of entries, the oldest read out first, and never an undefined', async () => {
    const reads = new RecentReads<string | undefined>(2, () => 0);
    await reads.through('a', 100, async () => 'a');
    await reads.through('b', 100, async () => 'b');
    await reads.through('c', 100, async () => 'c');
    expect(reads.size).toBe(2);
    expect(await reads.through('a', 100, async () => 'a again')).toBe('a again');
    expect(await reads.through('c', 100, async () => 'c again')).toBe('c');
    await reads.through('missing', 100, async () => undefined);
    expect(await reads.through('missing', 100, async () => 'found')).toBe('found');
  });
});
