import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { firstStamp, sealRecord, type RecordInput, type RecordScope, type SaveOptions, type SaveResult } from '../RecordStore';
import { SQLITE } from '../sql/dialect';
import { pruneParams, resealed, SCOPE, scopeKey, SqlRecordStore, type ResealRow } from '../sql/SqlRecordStore';
import { SqliteRunner } from './SqliteRunner';

/** SQLite's writes, one row per statement: each a few µs on a prepared statement, inside one transaction. */
const ROW_SQL = {
  current: `SELECT hash, last_action FROM records WHERE ${SCOPE} AND id = ?`,
  insert: `INSERT INTO records (connection, model, variant, id, hash, data, key_id, first_seen_at, modified_at, last_action, seen_run)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ADDED', ?)`,
  change: `UPDATE records SET hash = ?, data = ?, key_id = ?, modified_at = ?, last_action = ?, deleted_at = NULL,
      pruned_at = NULL, seen_run = ?
    WHERE ${SCOPE} AND id = ?`,
  seen: `UPDATE records SET seen_run = ? WHERE ${SCOPE} AND id = ?`,
  delete: `UPDATE records SET last_action = 'DELETED', deleted_at = ?, modified_at = ?
    WHERE ${SCOPE} AND id = ? AND last_action <> 'DELETED'`,
  unseen: `SELECT id FROM records WHERE ${SCOPE} AND seen_run <> ? AND last_action <> 'DELETED' ORDER BY id`,
  prune: `UPDATE records SET data = NULL, key_id = NULL, pruned_at = ? WHERE ${SCOPE} AND id = ?`,
} as const;

/**
 * Sync records in SQLite (see SqlRecordStore). Every write is one immediate transaction, which SQLite's single write
 * lock keeps to itself, so the stamps it hands out stay strictly increasing per scope.
 */
export class SqliteRecordStore extends SqlRecordStore {
  private readonly sqlite: SqliteRunner;

  constructor(db: Database.Database, cipher: CredentialCipher) {
    const runner = SqliteRunner.of(db);
    super(runner, SQLITE, cipher);
    this.sqlite = runner;
  }

  async save(scope: RecordScope, records: readonly RecordInput[], options: SaveOptions): Promise<SaveResult> {
    const now = options.now ?? Date.now();
    const key = scopeKey(scope);
    // Sealing is the costly part: done before the transaction, which then only writes.
    const latest = new Map(records.map((record) => [record.id, record]));
    const prepared = [...latest.values()].map((record) => sealRecord(this.cipher, scope, record, options.encrypt));
    return this.sqlite.transaction(() => {
      const result: SaveResult = { added: 0, updated: 0, unchanged: 0 };
      let stamp = this.firstStamp(key, now);
      for (const record of prepared) {
        const current = this.sqlite.getNow<{ hash: string; last_action: string }>(ROW_SQL.current, [...key, record.id]);
        if (!current) {
          const values = [...key, record.id, record.hash, record.data, record.keyId, now, stamp++, options.runId];
          this.sqlite.runNow(ROW_SQL.insert, values);
          result.added += 1;
        } else if (current.hash === record.hash && current.last_action !== 'DELETED') {
          this.sqlite.runNow(ROW_SQL.seen, [options.runId, ...key, record.id]);
          result.unchanged += 1;
        } else {
          const action = current.last_action === 'DELETED' ? 'ADDED' : 'UPDATED';
          const values = [record.hash, record.data, record.keyId, stamp++, action, options.runId, ...key, record.id];
          this.sqlite.runNow(ROW_SQL.change, values);
          if (action === 'ADDED') result.added += 1;
          else result.updated += 1;
        }
      }
      return result;
    });
  }

  async markDeleted(scope: RecordScope, ids: readonly string[], options: SaveOptions): Promise<number> {
    const now = options.now ?? Date.now();
    return this.sqlite.transaction(() => this.deleteIds(scope, [...new Set(ids)], now).length);
  }

  async markUnseenDeleted(scope: RecordScope, runId: string, now = Date.now()): Promise<string[]> {
    return this.sqlite.transaction(() => {
      const ids = this.sqlite.allNow<{ id: string }>(ROW_SQL.unseen, [...scopeKey(scope), runId]).map((row) => row.id);
      return this.deleteIds(scope, ids, now);
    });
  }

  async prune(
    scope: RecordScope,
    untilCursor: string,
    limit: number,
    now = Date.now(),
  ): Promise<{ count: number; hasMore: boolean }> {
    const params = pruneParams(scope, untilCursor, limit);
    return this.sqlite.transaction(() => {
      const ids = this.sqlite.allNow<{ id: string }>(this.sql.toPrune, params).map((row) => row.id);
      const pruned = ids.slice(0, limit);
      for (const recordId of pruned) this.sqlite.runNow(ROW_SQL.prune, [now, ...scopeKey(scope), recordId]);
      return { count: pruned.length, hasMore: ids.length > limit };
    });
  }

  async reencryptBatch(cipher: CredentialCipher, limit: number): Promise<number> {
    return this.sqlite.transaction(() => {
      const rows = this.sqlite.allNow<ResealRow>(this.sql.sealedWithOtherKeys, [cipher.currentKeyId, limit]);
      for (const row of rows) {
        const sealed = resealed(cipher, row);
        this.sqlite.runNow(this.sql.reseal, [sealed.text, sealed.keyId, row.connection, row.model, row.variant, row.id]);
      }
      return rows.length;
    });
  }

  /** The first stamp a write of the scope may use. */
  private firstStamp(key: readonly string[], now: number): number {
    return firstStamp(now, this.sqlite.getNow<{ stamp: number | null }>(this.sql.largest, key)?.stamp);
  }

  /** Marks ids deleted with stamps past the scope's largest; inside the caller's transaction. */
  /** Marks the live ones of `ids` deleted; returns those it changed. */
  private deleteIds(scope: RecordScope, ids: readonly string[], now: number): string[] {
    const key = scopeKey(scope);
    let stamp = this.firstStamp(key, now);
    const changed: string[] = [];
    for (const id of ids) {
      if (this.sqlite.runNow(ROW_SQL.delete, [now, stamp, ...key, id]) > 0) {
        changed.push(id);
        stamp += 1;
      }
    }
    return changed;
  }
}
