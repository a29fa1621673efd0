import type { SyncScheduleStore } from '../../src/store/SyncScheduleStore';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describe.each(STORE_KINDS)('SyncScheduleStore on %s', (_kind, open) => {
  let handle: TestStore;
  let schedules: SyncScheduleStore;
  const uuids: Record<string, string> = {};

  beforeEach(async () => {
    handle = await open();
    schedules = handle.store.syncSchedules;
    for (const userId of ['u1', 'u2']) {
      const connection = await handle.store.connections.insert({
        integration: 'github',
        userId,
        credentials: { api_key: 'k', raw: {} },
        additionalConfig: {},
      });
      uuids[userId] = connection.uuid;
    }
    await handle.store.connections.insert({
      integration: 'other',
      userId: 'u1',
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
  });
  afterEach(() => handle.dispose());

  const key = (userId: string, sync = 'issues') => ({
    integration: 'github',
    sync,
    variant: 'base',
    connection: uuids[userId] as string,
  });

  it('creates the missing schedules of every Connection of an integration, once', async () => {
    expect(await schedules.createMissing('github', 'issues', T0)).toBe(2);
    expect(await schedules.createMissing('github', 'issues', T0)).toBe(0);
    const listed = await schedules.list('github');
    expect(listed.map((schedule) => [schedule.userId, schedule.sync, schedule.status, schedule.nextRunAt])).toEqual([
      ['u1', 'issues', 'running', T0],
      ['u2', 'issues', 'running', T0],
    ]);
    expect(listed[0]).toMatchObject({ fullPending: true, checkpoint: null, lastRun: null, runId: null });
    expect(await schedules.list('github', { connection: uuids['u2'] as string })).toHaveLength(1);
    expect(await schedules.list('other')).toEqual([]);
  });

  it('looks only at Connections created since a time when given one', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect(await schedules.createMissing('github', 'issues', T0, future)).toBe(0);
    expect(await schedules.createMissing('github', 'issues', T0, past)).toBe(2);
    expect(await schedules.list('github')).toHaveLength(2);
  });

  it('claims a due run once, runs it under its lease, and schedules the next one', async () => {
    const ids = await scheduled();
    const claimed = await schedules.claimDue('w1', T0 + 60_000, 10, T0);
    expect(claimed).toHaveLength(2);
    expect(await schedules.claimDue('w2', T0 + 60_000, 10, T0 + 1)).toEqual([]); // leased
    const first = claimed.find((run) => run.id === ids['u1'])!;
    const started = await schedules.begin(first.id, first.runId, 'w1', T0 + 70_000, T0 + 5);
    expect(started?.schedule).toMatchObject({ userId: 'u1', runId: first.runId, leaseOwner: 'w1', leaseUntil: T0 + 70_000 });
    expect(await schedules.begin(first.id, 'stale-run', 'w1', T0 + 70_000, T0 + 5)).toBeUndefined();
    // The same run message delivered twice starts one run only.
    expect(await schedules.begin(first.id, first.runId, 'w2', T0 + 70_000, T0 + 6)).toBeUndefined();
    expect(await schedules.saveCheckpoint(first.id, first.runId, { page: 3 })).toBe(true);
    expect(await schedules.saveCheckpoint(first.id, 'stale-run', { page: 9 })).toBe(false);
    expect(await schedules.renew(first.id, first.runId, T0 + 80_000)).toBe(true);
    const done = await schedules.finish(first.id, first.runId, {
      startedAt: T0 + 5,
      finishedAt: T0 + 100,
      frequencyMs: HOUR,
      triggerSeq: started!.triggerSeq,
      success: true,
      counts: { Issue: { added: 3, updated: 0, deleted: 0 } },
      error: null,
      checkpoint: { page: 3 },
    });
    expect(done).toBe(true);
    expect(await schedules.finish(first.id, first.runId, { ...baseOutcome(), success: false })).toBe(false);
    expect(await schedules.get(key('u1'))).toMatchObject({
      runId: null,
      leaseUntil: null,
      nextRunAt: T0 + 100 + HOUR,
      checkpoint: { page: 3 },
      fullPending: false,
      lastSuccessStartedAt: T0 + 5,
      lastRun: {
        startedAt: T0 + 5,
        finishedAt: T0 + 100,
        outcome: 'success',
        counts: { Issue: { added: 3, updated: 0, deleted: 0 } },
      },
    });
    expect(await schedules.claimDue('w2', T0 + 200_000, 10, T0 + 150)).toEqual([]);
  });

  /** Schedules `issues` for both Connections; returns their schedule ids by user id. */
  async function scheduled(): Promise<Record<string, string>> {
    await schedules.createMissing('github', 'issues', T0);
    const ids: Record<string, string> = {};
    for (const schedule of await schedules.list('github')) ids[schedule.userId] = schedule.id;
    return ids;
  }

  it('re-claims a run whose lease expired; the old run can write nothing more', async () => {
    await scheduled();
    const [run] = await schedules.claimDue('w1', T0 + 1_000, 1, T0);
    await schedules.begin(run!.id, run!.runId, 'w1', T0 + 1_000, T0);
    await schedules.saveCheckpoint(run!.id, run!.runId, { page: 2 });
    expect(await schedules.claimDue('w2', T0 + 61_000, 10, T0 + 500)).toHaveLength(1); // the other Connection
    const [again] = await schedules.claimDue('w2', T0 + 61_000, 10, T0 + 1_000);
    expect(again?.id).toBe(run!.id);
    expect(again?.runId).not.toBe(run!.runId);
    expect(await schedules.renew(run!.id, run!.runId, T0 + 5_000)).toBe(false);
    expect(await schedules.saveCheckpoint(run!.id, run!.runId, { page: 99 })).toBe(false);
    const started = await schedules.begin(again!.id, again!.runId, 'w1', T0 + 62_000, T0 + 1_001);
    expect(started?.schedule.checkpoint).toEqual({ page: 2 });
  });

  it('never lets two racing claimers take the same run', async () => {
    for (let n = 0; n < 20; n += 1) {
      const connection = await handle.store.connections.insert({
        integration: 'github',
        userId: `race-${n}`,
        credentials: { api_key: 'k', raw: {} },
        additionalConfig: {},
      });
      void connection;
    }
    await scheduled();
    const claimers = ['a', 'b', 'c', 'd'].map((owner) => schedules.claimDue(owner, T0 + 60_000, 7, T0));
    const claims = (await Promise.all(claimers)).flat();
    const byId = new Set(claims.map((claim) => claim.id));
    expect(byId.size).toBe(claims.length);
    expect(claims.length).toBe(22);
    const rows = await schedules.list('github');
    for (const claim of claims) expect(rows.find((row) => row.id === claim.id)?.runId).toBe(claim.runId);
  });

  it('releases a lease for another worker to resume at once', async () => {
    await scheduled();
    const [run] = await schedules.claimDue('w1', T0 + 60_000, 1, T0);
    await schedules.begin(run!.id, run!.runId, 'w1', T0 + 60_000, T0);
    expect(await schedules.release(run!.id, run!.runId)).toBe(true);
    const again = await schedules.claimDue('w2', T0 + 60_000, 10, T0 + 1);
    expect(again.map((claim) => claim.id)).toContain(run!.id);
  });

  it('pauses, triggers a paused schedule once, resets and sets a frequency', async () => {
    const ids = await scheduled();
    const id = ids['u1'] as string;
    await schedules.setStatus([id, ids['u2'] as string], 'paused');
    expect(await schedules.claimDue('w1', T0 + 60_000, 10, T0)).toEqual([]);
    expect(await schedules.trigger([id], true, T0 + 10)).toBe(1);
    const [run] = await schedules.claimDue('w1', T0 + 60_000, 10, T0 + 10);
    expect(run?.id).toBe(id);
    await schedules.saveCheckpoint(id, run!.runId, { page: 1 }); // what a run before the reset left
    const started = await schedules.begin(id, run!.runId, 'w1', T0 + 60_000, T0 + 11);
    expect(started?.schedule).toMatchObject({ checkpoint: null, fullPending: true, resetPending: false, status: 'paused' });
    await schedules.finish(id, run!.runId, { ...baseOutcome(), triggerSeq: started!.triggerSeq, finishedAt: T0 + 20 });
    expect(await schedules.claimDue('w1', T0 + 60_000, 10, T0 + HOUR * 3)).toEqual([]); // paused, trigger served
    await schedules.setStatus([id], 'running');
    expect(await schedules.setFrequency(id, 2 * HOUR, HOUR)).toBe(true);
    expect(await schedules.get(key('u1'))).toMatchObject({ frequencyMs: 2 * HOUR, nextRunAt: T0 + 2 * HOUR });
    expect(await schedules.setFrequency(id, null, HOUR)).toBe(true);
    expect(await schedules.get(key('u1'))).toMatchObject({ frequencyMs: null, nextRunAt: T0 + HOUR });
  });

  it('a trigger during a run makes the next run due as soon as it ends', async () => {
    const id = (await scheduled())['u1'] as string;
    const runs = await schedules.claimDue('w1', T0 + 60_000, 10, T0);
    const run = runs.find((claim) => claim.id === id)!;
    const started = await schedules.begin(id, run.runId, 'w1', T0 + 60_000, T0);
    await schedules.trigger([id], false, T0 + 5);
    await schedules.finish(id, run.runId, { ...baseOutcome(), triggerSeq: started!.triggerSeq, finishedAt: T0 + 50 });
    expect((await schedules.get(key('u1')))?.nextRunAt).toBe(T0 + 50);
  });

  it('ensures a schedule for a sync without auto start, and deletes schedules with their Connection', async () => {
    await scheduled();
    const made = await schedules.ensure(key('u1', 'contacts'), 'paused', T0);
    expect(made).toMatchObject({ sync: 'contacts', status: 'paused', userId: 'u1' });
    expect((await schedules.ensure(key('u1', 'contacts'), 'running', T0)).id).toBe(made.id);
    await handle.store.connections.delete('github', 'u1');
    expect(await schedules.list('github', { connection: uuids['u1'] as string })).toEqual([]);
    expect(await schedules.list('github')).toHaveLength(1);
  });

  it('creates a variant once, beside the base, and deletes it alone', async () => {
    await scheduled();
    const eu = { ...key('u1'), variant: 'eu' };
    expect(await schedules.create(eu, 'paused', T0)).toBe(true);
    expect(await schedules.create(eu, 'running', T0)).toBe(false); // exists: not made again, not changed
    expect(await schedules.get(eu)).toMatchObject({ variant: 'eu', status: 'paused', userId: 'u1', nextRunAt: T0 });
    expect(await schedules.create({ ...eu, connection: 'no-such-connection' }, 'running', T0)).toBe(false);
    expect(await schedules.create({ ...eu, integration: 'other' }, 'running', T0)).toBe(false); // not that Connection's integration
    expect((await schedules.list('github', { connection: uuids['u1'] as string })).map((s) => s.variant)).toEqual(['base', 'eu']);
    expect(await schedules.delete(eu)).toBe(true);
    expect(await schedules.delete(eu)).toBe(false);
    expect(await schedules.get(eu)).toBeUndefined();
    expect(await schedules.get(key('u1'))).toMatchObject({ variant: 'base' });
  });

  it('reports the lag: due runs no worker started, claimed or not, and those whose worker died', async () => {
    expect(await schedules.lag(T0)).toEqual({ due: 0, oldestDueAt: null });
    const ids = await scheduled(); // both due at T0
    await schedules.ensure(key('u1', 'later'), 'running', T0 + HOUR); // not due yet
    await schedules.ensure(key('u2', 'paused'), 'paused', T0 - HOUR); // paused, not triggered: not due
    expect(await schedules.lag(T0 + 5_000)).toEqual({ due: 2, oldestDueAt: T0 });
    // Claimed and waiting in the queue: still behind. Started: no longer.
    const claimed = await schedules.claimDue('w1', T0 + 60_000, 10, T0 + 5_000);
    expect(await schedules.lag(T0 + 5_000)).toEqual({ due: 2, oldestDueAt: T0 });
    const u1 = claimed.find((run) => run.id === ids['u1'])!;
    await schedules.begin(u1.id, u1.runId, 'w1', T0 + 60_000, T0 + 6_000);
    expect(await schedules.lag(T0 + 7_000)).toEqual({ due: 1, oldestDueAt: T0 });
    // A started run whose lease ran out (its worker died) is behind again.
    expect(await schedules.lag(T0 + 60_000)).toEqual({ due: 2, oldestDueAt: T0 });
    // A paused schedule that is triggered is due.
    const paused = await schedules.get(key('u2', 'paused'));
    await schedules.trigger([paused!.id], false, T0 + 1_000);
    expect(await schedules.lag(T0 + 7_000)).toEqual({ due: 2, oldestDueAt: T0 });
  });
});

function baseOutcome() {
  return {
    startedAt: T0,
    finishedAt: T0 + 1,
    frequencyMs: HOUR,
    triggerSeq: 0,
    success: true,
    counts: null,
    error: null,
    checkpoint: null,
  };
}
