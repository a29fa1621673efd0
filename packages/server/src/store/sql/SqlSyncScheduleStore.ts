import {
  SCHEDULE_COLUMNS,
  scheduleFromRow,
  type ClaimedRun,
  type RunOutcome,
  type ScheduleKey,
  type ScheduleListFilter,
  type ScheduleRow,
  type ScheduleState,
  type ScheduleStatus,
  type StartedRun,
  type SyncLag,
  type SyncSchedule,
  type SyncScheduleStore,
} from '../SyncScheduleStore';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

const FROM = 'sync_schedules s JOIN connections c ON c.uuid = s.connection';

/** "A started run holds a live lease" at the `?` time. */
const RUNNING = '(s.run_started = 1 AND COALESCE(s.lease_until, 0) > ?)';

/** Each state of listAcross as a condition, and how many times it takes the time. */
const STATE_SQL: Record<ScheduleState, { sql: string; nows: number }> = {
  RUNNING: { sql: RUNNING, nows: 1 },
  PAUSED: { sql: `NOT ${RUNNING} AND s.status = 'paused'`, nows: 1 },
  SUCCESS: { sql: `NOT ${RUNNING} AND s.status <> 'paused' AND s.last_outcome = 'success'`, nows: 1 },
  ERROR: { sql: `NOT ${RUNNING} AND s.status <> 'paused' AND s.last_outcome = 'failure'`, nows: 1 },
  STOPPED: { sql: `NOT ${RUNNING} AND s.status <> 'paused' AND s.last_outcome IS NULL`, nows: 1 },
};

/** isBehind (SyncScheduleStore.ts) in SQL, given the latest time on schedule (now minus the lateness allowed) twice. */
const BEHIND_SQL = `((s.lease_until IS NOT NULL AND s.lease_until < ?)
  OR (s.lease_until IS NULL AND (s.status = 'running' OR s.trigger_seq > s.done_seq) AND s.next_run_at < ?))`;

/**
 * The schedule store in SQL both SQLite and PostgreSQL run: every operation is one statement, so none needs a
 * transaction, and every write of a run is conditional on its run id. On SQLite one writer at a time makes every
 * claim exclusive; on PostgreSQL a claim locks the due rows it takes and skips those another claimer holds, and
 * re-checks each row it updates, so two schedulers never both claim one run.
 */
export class SqlSyncScheduleStore implements SyncScheduleStore {
  constructor(
    private readonly db: SqlRunner,
    private readonly dialect: SqlDialect,
  ) {}

  async createMissing(integration: string, sync: string, now = Date.now(), createdSince?: string): Promise<number> {
    const since = createdSince === undefined ? '' : 'AND c.date_created >= ?';
    return this.db.run(
      `INSERT INTO sync_schedules (id, integration, sync, variant, connection, status, next_run_at, created_at)
       SELECT ${this.dialect.randomId}, c.integration, ?, 'base', c.uuid, 'running', CAST(? AS BIGINT), CAST(? AS BIGINT)
       FROM connections c
       WHERE c.integration = ? ${since}
         AND NOT EXISTS (SELECT 1 FROM sync_schedules s WHERE s.connection = c.uuid AND s.sync = ? AND s.variant = 'base')
       ON CONFLICT DO NOTHING`,
      createdSince === undefined ? [sync, now, now, integration, sync] : [sync, now, now, integration, createdSince, sync],
    );
  }

  async ensure(key: ScheduleKey, status: ScheduleStatus, now = Date.now()): Promise<SyncSchedule> {
    await this.insert(key, status, now);
    const schedule = await this.get(key);
    if (!schedule) throw new Error(`no Connection ${key.connection} on ${key.integration} to schedule ${key.sync} for`);
    return schedule;
  }

  async create(key: ScheduleKey, status: ScheduleStatus, now = Date.now()): Promise<boolean> {
    return (await this.insert(key, status, now)) > 0;
  }

  async delete(key: ScheduleKey): Promise<boolean> {
    const deleted = await this.db.run(
      'DELETE FROM sync_schedules WHERE connection = ? AND sync = ? AND variant = ? AND integration = ?',
      [key.connection, key.sync, key.variant, key.integration],
    );
    return deleted > 0;
  }

  async deleteSync(integration: string, sync: string): Promise<number> {
    return this.db.run('DELETE FROM sync_schedules WHERE integration = ? AND sync = ?', [integration, sync]);
  }

  async get(key: ScheduleKey): Promise<SyncSchedule | undefined> {
    const rows = await this.db.all<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM ${FROM} WHERE s.connection = ? AND s.sync = ? AND s.variant = ? AND s.integration = ?`,
      [key.connection, key.sync, key.variant, key.integration],
    );
    return rows[0] && scheduleFromRow(rows[0]);
  }

  /** Inserts a schedule unless it exists (or the Connection does not): the rows it inserted, 0 or 1. */
  private insert(key: ScheduleKey, status: ScheduleStatus, now: number): Promise<number> {
    return this.db.run(
      `INSERT INTO sync_schedules (id, integration, sync, variant, connection, status, next_run_at, created_at)
       SELECT ${this.dialect.randomId}, c.integration, ?, ?, c.uuid, ?, CAST(? AS BIGINT), CAST(? AS BIGINT)
       FROM connections c WHERE c.uuid = ? AND c.integration = ?
       ON CONFLICT DO NOTHING`,
      [key.sync, key.variant, status, now, now, key.connection, key.integration],
    );
  }

  async list(integration: string, filter: { connection?: string; syncs?: readonly string[] } = {}): Promise<SyncSchedule[]> {
    const where = ['s.integration = ?'];
    const params: unknown[] = [integration];
    if (filter.connection !== undefined) {
      where.push('s.connection = ?');
      params.push(filter.connection);
    }
    if (filter.syncs !== undefined) {
      if (filter.syncs.length === 0) return [];
      where.push(`s.sync IN (${filter.syncs.map(() => '?').join(', ')})`);
      params.push(...filter.syncs);
    }
    const rows = await this.db.all<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM ${FROM} WHERE ${where.join(' AND ')} ORDER BY c.user_id, s.sync, s.variant`,
      params,
    );
    return rows.map(scheduleFromRow);
  }

  async listAcross(
    filter: ScheduleListFilter,
    page: { limit: number; offset: number },
    now = Date.now(),
  ): Promise<SyncSchedule[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.integration !== undefined) {
      where.push('s.integration = ?');
      params.push(filter.integration);
    }
    if (filter.userId !== undefined) {
      where.push('c.user_id = ?');
      params.push(filter.userId);
    }
    if (filter.state !== undefined) {
      const state = STATE_SQL[filter.state];
      where.push(state.sql);
      for (let index = 0; index < state.nows; index++) params.push(now);
    }
    if (filter.behind !== undefined) {
      // Never NULL (each comparison is on a column the branch knows is set), so NOT keeps exactly the others.
      where.push(filter.behind.is ? BEHIND_SQL : `NOT ${BEHIND_SQL}`);
      params.push(now - filter.behind.allowedMs, now - filter.behind.allowedMs);
    }
    const order = this.dialect.byteOrder;
    const rows = await this.db.all<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM ${FROM} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY s.integration${order}, c.user_id${order}, s.sync${order}, s.variant${order} LIMIT ? OFFSET ?`,
      [...params, page.limit, page.offset],
    );
    return rows.map(scheduleFromRow);
  }

  async claimDue(owner: string, leaseUntil: number, limit: number, now = Date.now()): Promise<ClaimedRun[]> {
    // The outer conditions repeat the inner ones: a row another claimer updated meanwhile is re-checked on PostgreSQL.
    const due = `next_run_at <= ? AND (status = 'running' OR trigger_seq > done_seq) AND (lease_until IS NULL OR lease_until <= ?)`;
    const rows = await this.db.all<{ id: string; run_id: string }>(
      `UPDATE sync_schedules SET run_id = ${this.dialect.randomId}, lease_owner = ?, lease_until = ?, run_started = 0
       WHERE id IN (SELECT id FROM sync_schedules WHERE ${due} ORDER BY next_run_at LIMIT ?${this.dialect.skipLocked})
         AND ${due}
       RETURNING id, run_id`,
      [owner, leaseUntil, now, now, limit, now, now],
    );
    return rows.map((row) => ({ id: row.id, runId: row.run_id }));
  }

  async begin(id: string, runId: string, owner: string, leaseUntil: number, now = Date.now()): Promise<StartedRun | undefined> {
    const changed = await this.db.run(
      `UPDATE sync_schedules SET lease_until = ?, lease_owner = ?, run_started = 1,
         checkpoint = CASE WHEN reset_pending <> 0 THEN NULL ELSE checkpoint END,
         full_pending = CASE WHEN reset_pending <> 0 THEN 1 ELSE full_pending END,
         reset_pending = 0
       WHERE id = ? AND run_id = ? AND lease_until > ? AND run_started = 0`,
      [leaseUntil, owner, id, runId, now],
    );
    if (changed === 0) return undefined;
    const rows = await this.db.all<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM ${FROM} WHERE s.id = ?`, [id]);
    const row = rows[0];
    if (!row || row.run_id !== runId) return undefined;
    return { schedule: scheduleFromRow(row), triggerSeq: Number(row.trigger_seq), startedAt: now };
  }

  async renew(id: string, runId: string, leaseUntil: number): Promise<boolean> {
    return (
      (await this.db.run('UPDATE sync_schedules SET lease_until = ? WHERE id = ? AND run_id = ?', [leaseUntil, id, runId])) > 0
    );
  }

  async saveCheckpoint(id: string, runId: string, checkpoint: Record<string, unknown> | null): Promise<boolean> {
    const json = checkpoint === null ? null : JSON.stringify(checkpoint);
    return (await this.db.run('UPDATE sync_schedules SET checkpoint = ? WHERE id = ? AND run_id = ?', [json, id, runId])) > 0;
  }

  async finish(id: string, runId: string, outcome: RunOutcome): Promise<boolean> {
    const { startedAt, finishedAt, frequencyMs, triggerSeq, success } = outcome;
    const changed = await this.db.run(
      `UPDATE sync_schedules SET run_id = NULL, lease_owner = NULL, lease_until = NULL, run_started = 0,
         next_run_at = CASE WHEN trigger_seq > ? THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END,
         done_seq = ?, checkpoint = ?,
         full_pending = CASE WHEN ? = 1 THEN 0 ELSE full_pending END,
         last_started_at = ?, last_finished_at = ?, last_outcome = ?, last_error = ?, last_counts = ?,
         last_success_started_at = CASE WHEN ? = 1 THEN CAST(? AS BIGINT) ELSE last_success_started_at END
       WHERE id = ? AND run_id = ?`,
      [
        triggerSeq,
        finishedAt,
        finishedAt + frequencyMs,
        triggerSeq,
        outcome.checkpoint === null ? null : JSON.stringify(outcome.checkpoint),
        success ? 1 : 0,
        startedAt,
        finishedAt,
        success ? 'success' : 'failure',
        outcome.error === null ? null : JSON.stringify(outcome.error),
        outcome.counts === null ? null : JSON.stringify(outcome.counts),
        success ? 1 : 0,
        startedAt,
        id,
        runId,
      ],
    );
    return changed > 0;
  }

  async release(id: string, runId: string): Promise<boolean> {
    const sql =
      'UPDATE sync_schedules SET run_id = NULL, lease_owner = NULL, lease_until = NULL, run_started = 0 WHERE id = ? AND run_id = ?';
    return (await this.db.run(sql, [id, runId])) > 0;
  }

  async setStatus(ids: readonly string[], status: ScheduleStatus): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.run(`UPDATE sync_schedules SET status = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [status, ...ids]);
  }

  async trigger(ids: readonly string[], reset: boolean, now = Date.now()): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.run(
      `UPDATE sync_schedules SET trigger_seq = trigger_seq + 1, next_run_at = ?,
         reset_pending = CASE WHEN ? = 1 THEN 1 ELSE reset_pending END
       WHERE id IN (${ids.map(() => '?').join(', ')})`,
      [now, reset ? 1 : 0, ...ids],
    );
  }

  async setFrequency(id: string, frequencyMs: number | null, defaultMs: number): Promise<boolean> {
    // The next run moves with the frequency: the last start (or now, when none ran) plus the new one.
    const changed = await this.db.run(
      `UPDATE sync_schedules SET frequency_ms = ?,
         next_run_at = CASE WHEN last_started_at IS NULL THEN next_run_at ELSE last_started_at + ? END
       WHERE id = ?`,
      [frequencyMs, frequencyMs ?? defaultMs, id],
    );
    return changed > 0;
  }

  async lag(now = Date.now()): Promise<SyncLag> {
    // An index range on next_run_at: only the due rows are read.
    const rows = await this.db.all<{ due: number | string; oldest: number | string | null }>(
      `SELECT COUNT(*) AS due, MIN(next_run_at) AS oldest FROM sync_schedules
       WHERE next_run_at <= ? AND (status = 'running' OR trigger_seq > done_seq) AND (run_started = 0 OR lease_until <= ?)`,
      [now, now],
    );
    const oldest = rows[0]?.oldest ?? null;
    return { due: Number(rows[0]?.due ?? 0), oldestDueAt: oldest === null ? null : Number(oldest) };
  }
}
