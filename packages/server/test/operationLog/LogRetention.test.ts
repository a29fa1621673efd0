import { LogRetention } from '../../src/operationLog/LogRetention';
import { newOperationId } from '../../src/store/operationIds';
import type { OperationStore, StoredOperation } from '../../src/store/OperationStore';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1);

function operation(startedAt: number): StoredOperation {
  return {
    id: newOperationId(startedAt),
    kind: 'proxy',
    name: 'GET /x',
    integration: 'github',
    connectionId: 'u1',
    endUserId: null,
    status: 'success',
    startedAt,
    endedAt: startedAt + 5,
    durationMs: 5,
    error: null,
    fields: {},
    traceId: null,
    parentId: null,
  };
}

describe.each(STORE_KINDS)('LogRetention on %s', (_kind, open) => {
  let handle: TestStore;
  let store: OperationStore;
  const retentions: LogRetention[] = [];
  const retention = (options: Partial<ConstructorParameters<typeof LogRetention>[0]> = {}) => {
    const made = new LogRetention({
      store,
      maxAgeMs: 14 * DAY,
      maxOperations: undefined,
      batchSize: 10,
      pauseMs: 1,
      now: () => NOW,
      ...options,
    });
    retentions.push(made);
    return made;
  };
  const count = async () => (await store.list({}, { limit: 1_000 })).operations.length;

  beforeEach(async () => {
    handle = await open();
    store = handle.store.operations;
    // 25 operations a day old, 25 from 20 days ago.
    const ops = [
      ...Array.from({ length: 25 }, (_, n) => operation(NOW - DAY + n)),
      ...Array.from({ length: 25 }, (_, n) => operation(NOW - 20 * DAY + n)),
    ];
    await store.write({
      operations: ops,
      messages: ops.map((op) => ({ operationId: op.id, at: NOW, level: 'info', text: 'hi' })),
    });
  });
  afterEach(async () => {
    for (const made of retentions.splice(0)) await made.stop();
    await handle.dispose();
  });

  it('deletes what is older than the age limit, in batches', async () => {
    const prune = jest.spyOn(store, 'prune');
    expect(await retention().runOnce()).toBe(25);
    expect(prune.mock.calls.map((call) => call[1])).toEqual([10, 10, 10]);
    expect(await count()).toBe(25);
    expect(await retention().runOnce()).toBe(0); // the lease is its owner's; and nothing is left anyway
  });

  it('keeps the newest operations up to the count limit', async () => {
    expect(await retention({ maxAgeMs: undefined, maxOperations: 7 }).runOnce()).toBe(43);
    const left = (await store.list({}, { limit: 100 })).operations;
    expect(left).toHaveLength(7);
    expect(Math.min(...left.map((op) => op.startedAt))).toBe(NOW - DAY + 18);
  });

  it('lets one process prune at a time', async () => {
    const first = retention({ batchSize: 5, pauseMs: 30 });
    const second = retention({ batchSize: 5 });
    const round = first.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await second.runOnce()).toBe(0); // the first holds the lease
    expect(await round).toBe(25);
  });

  it('runs by itself once started, and a stop ends a round between two batches', async () => {
    const periodic = retention({ intervalMs: 20 });
    periodic.start();
    await waitFor(async () => (await count()) === 25);
    await periodic.stop();

    await store.write({ operations: Array.from({ length: 30 }, (_, n) => operation(NOW - 30 * DAY + n)), messages: [] });
    // Later than the first's lease (a minute), which it keeps after its stop.
    const slow = retention({ batchSize: 5, pauseMs: 200, now: () => NOW + 2 * 60_000 });
    const round = slow.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await slow.stop();
    expect(await round).toBeLessThan(30);
    expect(await count()).toBeGreaterThan(25);
  });

  it('does nothing without limits', async () => {
    const none = retention({ maxAgeMs: undefined, maxOperations: undefined });
    expect(await none.runOnce()).toBe(0);
    none.start(); // no timer: nothing to do
    expect(await count()).toBe(50);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
