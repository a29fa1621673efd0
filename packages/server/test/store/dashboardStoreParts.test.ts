import type { DashboardSession } from '../../src/store/DashboardSessionStore';
import { newOperationId } from '../../src/store/operationIds';
import type { StoredOperation } from '../../src/store/OperationStore';
import { isBehind, lateness, type SyncSchedule } from '../../src/store/SyncScheduleStore';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

// Each test makes a PostgreSQL database of its own: slow on a busy machine.
jest.setTimeout(30_000);

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const TOKEN = 'dashboard-session-token-'.padEnd(43, 'x');

/** An operation of `status` started `minutes` after T0. */
function operation(minutes: number, status: string, overrides: Partial<StoredOperation> = {}): StoredOperation {
  const startedAt = T0 + minutes * MINUTE;
  return {
    id: newOperationId(startedAt),
    kind: 'action',
    name: 'echo',
    integration: 'github',
    connectionId: 'u1',
    endUserId: null,
    status,
    startedAt,
    endedAt: status === 'running' ? null : startedAt + 1000,
    durationMs: status === 'running' ? null : 1000,
    error: null,
    fields: {},
    traceId: null,
    parentId: null,
    ...overrides,
  };
}

describe.each(STORE_KINDS)('the dashboard’s store parts on %s', (_kind, open) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await open();
  });
  afterEach(() => handle.dispose());

  describe('dashboard sessions', () => {
    const session = (overrides: Partial<DashboardSession> = {}): DashboardSession => ({
      user: 'ann',
      csrfToken: 'csrf-1',
      createdAt: T0,
      expiresAt: T0 + 60_000,
      ...overrides,
    });

    it('keeps a session under the hash of its token only, reads it back until it expires, and ends it once', async () => {
      const sessions = handle.store.dashboardSessions;
      await sessions.create(TOKEN, session());
      expect(await sessions.get(TOKEN, T0 + 1)).toEqual(session());
      expect(await sessions.get(`${TOKEN}y`, T0 + 1)).toBeUndefined();
      expect(await sessions.get(TOKEN, T0 + 60_000)).toBeUndefined(); // expired at expiresAt
      const rows = await rawQuery<Record<string, unknown>>(handle.store, 'SELECT * FROM dashboard_sessions');
      expect(rows).toHaveLength(1);
      expect(Object.keys(rows[0] as object).sort()).toEqual([
        'created_at',
        'csrf_token',
        'expires_at',
        'token_hash',
        'user_name',
      ]);
      expect(JSON.stringify(rows)).not.toContain(TOKEN);
      expect(await sessions.delete(TOKEN)).toBe(true);
      expect(await sessions.delete(TOKEN)).toBe(false);
      expect(await sessions.get(TOKEN, T0 + 1)).toBeUndefined();
    });

    it('sweeps expired sessions on the next sign-in, and prunes them when asked', async () => {
      const sessions = handle.store.dashboardSessions;
      await sessions.create('old', session({ createdAt: T0, expiresAt: T0 + 10 }));
      await sessions.create('new', session({ createdAt: T0 + 20, expiresAt: T0 + 100 }));
      const count = async () =>
        Number((await rawQuery<{ n: number | string }>(handle.store, 'SELECT COUNT(*) AS n FROM dashboard_sessions'))[0]?.n);
      expect(await count()).toBe(1);
      expect(await sessions.prune(T0 + 100)).toBe(1);
      expect(await count()).toBe(0);
    });
  });

  describe('operation counts by time slot', () => {
    it('counts each status per slot in one query, with the filters of a listing', async () => {
      const operations = [
        operation(0, 'success'),
        operation(5, 'success'),
        operation(59, 'failed', { error: { code: 'action_failed', message: 'boom' } }),
        operation(60, 'running'),
        operation(61, 'timed_out'),
        operation(125, 'cancelled', { integration: 'slack' }),
        operation(200, 'success'), // past `to`
      ];
      await handle.store.operations.write({ operations, messages: [] });
      const slots = { start: T0, size: 60 * MINUTE };
      const counts = await handle.store.operations.countBySlot({ from: T0, to: T0 + 180 * MINUTE - 1 }, slots);
      const sorted = [...counts].sort((a, b) => a.slot - b.slot || a.status.localeCompare(b.status));
      expect(sorted).toEqual([
        { slot: 0, status: 'failed', count: 1 },
        { slot: 0, status: 'success', count: 2 },
        { slot: 1, status: 'running', count: 1 },
        { slot: 1, status: 'timed_out', count: 1 },
        { slot: 2, status: 'cancelled', count: 1 },
      ]);
      const github = await handle.store.operations.countBySlot({ from: T0, integration: 'slack' }, slots);
      expect(github).toEqual([{ slot: 2, status: 'cancelled', count: 1 }]);
      const failures = await handle.store.operations.countBySlot({ from: T0, statuses: ['failed'], text: 'boom' }, slots);
      expect(failures).toEqual([{ slot: 0, status: 'failed', count: 1 }]);
    });
  });

  describe('schedules across Connections', () => {
    const uuids: Record<string, string> = {};
    beforeEach(async () => {
      for (const [integration, userId] of [
        ['github', 'u1'],
        ['github', 'u2'],
        ['github', 'u3'],
        ['slack', 'u1'],
      ] as const) {
        const connection = await handle.store.connections.insert({
          integration,
          userId,
          credentials: { api_key: 'k', raw: {} },
          additionalConfig: {},
        });
        uuids[`${integration}/${userId}`] = connection.uuid;
      }
    });
    const key = (integration: string, userId: string, sync: string) => ({
      integration,
      sync,
      variant: 'base',
      connection: uuids[`${integration}/${userId}`] as string,
    });
    const names = (schedules: SyncSchedule[]) => schedules.map((s) => `${s.integration}/${s.userId}/${s.sync}`);

    it('pages every schedule in order, filters them, and finds those behind', async () => {
      const schedules = handle.store.syncSchedules;
      const now = T0 + 60 * MINUTE;
      // On time: due in the future. Behind: due 58 minutes ago, nothing claimed it.
      await schedules.ensure(key('github', 'u1', 'issues'), 'running', now + MINUTE);
      await schedules.ensure(key('github', 'u2', 'issues'), 'running', T0 + 2 * MINUTE);
      await schedules.ensure(key('github', 'u3', 'issues'), 'paused', T0); // paused: never behind
      await schedules.ensure(key('slack', 'u1', 'messages'), 'running', now - 10_000); // 10 s late: within grace
      await schedules.ensure(key('github', 'u1', 'pulls'), 'running', T0); // claimed, then its worker died
      expect(await schedules.claimDue('w1', T0 + 5 * MINUTE, 10, T0 + MINUTE)).toHaveLength(1);

      const all = await schedules.listAcross({}, { limit: 100, offset: 0 }, now);
      expect(names(all)).toEqual([
        'github/u1/issues',
        'github/u1/pulls',
        'github/u2/issues',
        'github/u3/issues',
        'slack/u1/messages',
      ]);
      const pages = [
        await schedules.listAcross({}, { limit: 2, offset: 0 }, now),
        await schedules.listAcross({}, { limit: 2, offset: 2 }, now),
        await schedules.listAcross({}, { limit: 2, offset: 4 }, now),
      ];
      expect(pages.map(names)).toEqual([names(all.slice(0, 2)), names(all.slice(2, 4)), names(all.slice(4))]);

      expect(names(await schedules.listAcross({ integration: 'slack' }, { limit: 10, offset: 0 }, now))).toEqual([
        'slack/u1/messages',
      ]);
      expect(names(await schedules.listAcross({ userId: 'u1' }, { limit: 10, offset: 0 }, now))).toEqual([
        'github/u1/issues',
        'github/u1/pulls',
        'slack/u1/messages',
      ]);
      expect(names(await schedules.listAcross({ state: 'PAUSED' }, { limit: 10, offset: 0 }, now))).toEqual(['github/u3/issues']);
      expect(names(await schedules.listAcross({ state: 'STOPPED' }, { limit: 10, offset: 0 }, now))).toHaveLength(4);

      const allowed = 1000 + 60_000; // one tick and the grace
      const behind = await schedules.listAcross({ behind: { allowedMs: allowed, is: true } }, { limit: 10, offset: 0 }, now);
      expect(names(behind)).toEqual(['github/u1/pulls', 'github/u2/issues']);
      const onTime = await schedules.listAcross({ behind: { allowedMs: allowed, is: false } }, { limit: 10, offset: 0 }, now);
      expect(names(onTime)).toEqual(['github/u1/issues', 'github/u3/issues', 'slack/u1/messages']);
      // The SQL and the function agree on every schedule.
      expect(names(all.filter((schedule) => isBehind(schedule, now, allowed)))).toEqual(names(behind));
      const late = Object.fromEntries(all.map((schedule) => [`${schedule.userId}/${schedule.sync}`, lateness(schedule, now)]));
      expect(late).toEqual({
        'u1/issues': 0,
        'u1/pulls': now - (T0 + 5 * MINUTE), // since its lease ran out
        'u2/issues': 58 * MINUTE,
        'u3/issues': 0,
        'u1/messages': 10_000,
      });
    });
  });

  it('lists only the Connections that need re-authorization when asked', async () => {
    const { connections } = handle.store;
    const bad = await connections.insert({
      integration: 'github',
      userId: 'bad',
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
    await connections.insert({
      integration: 'github',
      userId: 'good',
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
    const version = await connections.credentialsVersion(bad.uuid);
    expect(await connections.markNeedsReauthorization(bad.uuid, 'invalid_grant', version as number)).toBe(true);
    const ids = async (authorization?: 'ok' | 'needs_reauthorization') =>
      (await connections.search(authorization === undefined ? {} : { authorization })).map((listing) => listing.userId);
    expect(await ids('needs_reauthorization')).toEqual(['bad']);
    expect(await ids('ok')).toEqual(['good']);
    expect(await ids()).toEqual(['bad', 'good']);
  });
});
