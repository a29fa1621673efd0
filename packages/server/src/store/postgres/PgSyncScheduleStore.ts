import { SqlSyncScheduleStore } from '../SqlSyncScheduleStore';
import type { Pg } from './Pg';

/** `?` placeholders as PostgreSQL's `$n`. */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/**
 * Sync schedules in PostgreSQL (see SyncScheduleStore): a claim locks the due rows it takes and skips those another
 * claimer holds, and re-checks each row it updates, so two schedulers never both claim one run.
 */
export class PgSyncScheduleStore extends SqlSyncScheduleStore {
  constructor(pg: Pg) {
    super(
      {
        all: async <R>(sql: string, params: readonly unknown[]) => (await pg.query(numbered(sql), [...params])).rows as R[],
        run: async (sql: string, params: readonly unknown[]) => (await pg.query(numbered(sql), [...params])).rowCount ?? 0,
      },
      { randomId: 'gen_random_uuid()::text', skipLocked: ' FOR UPDATE SKIP LOCKED' },
    );
  }
}
