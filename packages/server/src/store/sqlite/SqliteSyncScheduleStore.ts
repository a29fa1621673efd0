import type Database from 'better-sqlite3';
import { SqlSyncScheduleStore } from '../SqlSyncScheduleStore';
import { withStorageErrors } from './sqliteErrors';

/** Sync schedules in SQLite (see SyncScheduleStore): one writer at a time makes every claim exclusive. */
export class SqliteSyncScheduleStore extends SqlSyncScheduleStore {
  constructor(db: Database.Database) {
    super(
      {
        all: async <R>(sql: string, params: readonly unknown[]) => withStorageErrors(() => db.prepare(sql).all(...params) as R[]),
        run: async (sql: string, params: readonly unknown[]) => withStorageErrors(() => db.prepare(sql).run(...params).changes),
      },
      { randomId: 'lower(hex(randomblob(16)))', skipLocked: '' },
    );
  }
}
