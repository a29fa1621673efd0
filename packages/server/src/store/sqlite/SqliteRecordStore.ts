import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import {
  decodeCursor,
  firstStamp,
  openRecordRow,
  recordBinding,
  sealRecord,
  type RecordInput,
  type RecordPage,
  type RecordQuery,
  type RecordRow,
  type RecordScope,
  type RecordStore,
  type SaveOptions,
  type SaveResult,
} from '../RecordStore';
import { withStorageErrors } from './sqliteErrors';

const SCOPE = 'connection = ? AND model = ? AND variant = ?';
const COLUMNS = 'id, data, key_id, first_seen_at, modified_at, last_action, deleted_at, pruned_at';

/** Sync records in SQLite (see RecordStore). Every write is one transaction. */
export class SqliteRecordStore implements RecordStore {
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: CredentialCipher,
  ) {
    this.statements = {
      largest: db.prepare<[string, string, string], { stamp: number | null }>(
        `SELECT MAX(modified_at) AS stamp FROM records WHERE ${SCOPE}`,
      ),
      current: db.prepare<[string, string, string, string], { hash: string; last_action: string }>(
        `SELECT hash, last_action FROM records WHERE ${SCOPE} AND id = ?`,
      ),
      insert: db.prepare(
        `INSERT INTO records (connection, model, variant, id, hash, data, key_id, first_seen_at, modified_at, last_action, seen_run)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ADDED', ?)`,
      ),
      change: db.prepare(
        `UPDATE records SET hash = ?, data = ?, key_id = ?, modified_at = ?, last_action = ?, deleted_at = NULL,
           pruned_at = NULL, seen_run = ?
         WHERE ${SCOPE} AND id = ?`,
      ),
      seen: db.prepare(`UPDATE records SET seen_run = ? WHERE ${SCOPE} AND id = ?`),
      delete: db.prepare(
        `UPDATE records SET last_action = 'DELETED', deleted_at = ?, modified_at = ?
         WHERE ${SCOPE} AND id = ? AND last_action <> 'DELETED'`,
      ),
      unseen: db.prepare<[string, string, string, string], { id: string }>(
        `SELECT id FROM records WHERE ${SCOPE} AND seen_run <> ? AND last_action <> 'DELETED' ORDER BY id`,
      ),
      count: db.prepare<[string, string, string], { total: number; deleted: number | null }>(
        `SELECT COUNT(*) AS total, SUM(last_action = 'DELETED') AS deleted FROM records WHERE ${SCOPE}`,
      ),
      clear: db.prepare(`DELETE FROM records WHERE ${SCOPE}`),
      deleteConnection: db.prepare('DELETE FROM records WHERE connection = ?'),
    };
  }

  async save(scope: RecordScope, records: readonly RecordInput[], options: SaveOptions): Promise<SaveResult> {
    const now = options.now ?? Date.now();
    const key = scopeKey(scope);
    // Sealing is the costly part: done before the transaction, which then only writes.
    const latest = new Map(records.map((record) => [record.id, record]));
    const prepared = [...latest.values()].map((record) => sealRecord(this.cipher, scope, record, options.encrypt));
    const write = this.db.transaction(() => {
      const result: SaveResult = { added: 0, updated: 0, unchanged: 0 };
      let stamp = firstStamp(now, this.statements.largest.get(...key)?.stamp);
      for (const record of prepared) {
        const current = this.statements.current.get(...key, record.id);
        if (!current) {
          this.statements.insert.run(...key, record.id, record.hash, record.data, record.keyId, now, stamp++, options.runId);
          result.added += 1;
        } else if (current.hash === record.hash && current.last_action !== 'DELETED') {
          this.statements.seen.run(options.runId, ...key, record.id);
          result.unchanged += 1;
        } else {
          const action = current.last_action === 'DELETED' ? 'ADDED' : 'UPDATED';
          this.statements.change.run(record.hash, record.data, record.keyId, stamp++, action, options.runId, ...key, record.id);
          if (action === 'ADDED') result.added += 1;
          else result.updated += 1;
        }
      }
      return result;
    });
    return withStorageErrors(() => write.immediate());
  }

  async markDeleted(scope: RecordScope, ids: readonly string[], options: SaveOptions): Promise<number> {
    const now = options.now ?? Date.now();
    return withStorageErrors(() => this.deleteIds(scope, [...new Set(ids)], now));
  }

  async markUnseenDeleted(scope: RecordScope, runId: string, now = Date.now()): Promise<number> {
    return withStorageErrors(() =>
      this.db
        .transaction(() => {
          const ids = this.statements.unseen.all(...scopeKey(scope), runId).map((row) => row.id);
          return this.deleteIds(scope, ids, now);
        })
        .immediate(),
    );
  }

  async list(scope: RecordScope, query: RecordQuery): Promise<RecordPage> {
    const where = [SCOPE];
    const params: unknown[] = scopeKey(scope);
    if (query.cursor !== undefined) {
      const { stamp, id } = decodeCursor(query.cursor);
      // The first term lets the index seek; the second is the exact keyset condition.
      where.push('modified_at >= ? AND (modified_at > ? OR id > ?)');
      params.push(stamp, stamp, id);
    }
    if (query.modifiedAfter !== undefined) {
      where.push('modified_at >= ?');
      params.push((query.modifiedAfter + 1) * 1000);
    }
    if (query.actions !== undefined && query.actions.length > 0) {
      where.push(`last_action IN (${query.actions.map(() => '?').join(', ')})`);
      params.push(...query.actions);
    }
    if (query.ids !== undefined && query.ids.length > 0) {
      where.push(`id IN (${query.ids.map(() => '?').join(', ')})`);
      params.push(...query.ids);
    }
    const rows = withStorageErrors(() =>
      this.db
        .prepare<unknown[], RecordRow>(
          `SELECT ${COLUMNS} FROM records WHERE ${where.join(' AND ')} ORDER BY modified_at, id LIMIT ?`,
        )
        .all(...params, query.limit + 1),
    );
    const page = rows.slice(0, query.limit).map((row) => openRecordRow(this.cipher, scope, row));
    const last = page[page.length - 1];
    return { records: page, nextCursor: rows.length > query.limit && last ? last.cursor : null };
  }

  async prune(
    scope: RecordScope,
    untilCursor: string,
    limit: number,
    now = Date.now(),
  ): Promise<{ count: number; hasMore: boolean }> {
    const { stamp, id } = decodeCursor(untilCursor);
    const upTo = `${SCOPE} AND pruned_at IS NULL AND (modified_at < ? OR (modified_at = ? AND id <= ?))`;
    const params = [...scopeKey(scope), stamp, stamp, id];
    return withStorageErrors(() =>
      this.db
        .transaction(() => {
          const ids = this.db
            .prepare<unknown[], { id: string }>(`SELECT id FROM records WHERE ${upTo} ORDER BY modified_at, id LIMIT ?`)
            .all(...params, limit + 1)
            .map((row) => row.id);
          const pruned = ids.slice(0, limit);
          const update = this.db.prepare(
            `UPDATE records SET data = NULL, key_id = NULL, pruned_at = ? WHERE ${SCOPE} AND id = ?`,
          );
          for (const recordId of pruned) update.run(now, ...scopeKey(scope), recordId);
          return { count: pruned.length, hasMore: ids.length > limit };
        })
        .immediate(),
    );
  }

  async count(scope: RecordScope): Promise<{ total: number; deleted: number }> {
    const row = withStorageErrors(() => this.statements.count.get(...scopeKey(scope)));
    return { total: row?.total ?? 0, deleted: row?.deleted ?? 0 };
  }

  async clear(scope: RecordScope): Promise<number> {
    return withStorageErrors(() => this.statements.clear.run(...scopeKey(scope)).changes);
  }

  async deleteConnection(connection: string): Promise<number> {
    return withStorageErrors(() => this.statements.deleteConnection.run(connection).changes);
  }

  async keyIdsInUse(): Promise<string[]> {
    return withStorageErrors(() =>
      this.db
        .prepare<[], { key_id: string }>('SELECT DISTINCT key_id FROM records WHERE key_id IS NOT NULL')
        .all()
        .map((row) => row.key_id),
    );
  }

  async reencryptBatch(cipher: CredentialCipher, limit: number): Promise<number> {
    const rows = withStorageErrors(() =>
      this.db
        .prepare<[string, number], ResealRow>(
          `SELECT connection, model, variant, id, data FROM records
           WHERE key_id IS NOT NULL AND key_id <> ? AND data IS NOT NULL LIMIT ?`,
        )
        .all(cipher.currentKeyId, limit),
    );
    const update = this.db.prepare(`UPDATE records SET data = ?, key_id = ? WHERE ${SCOPE} AND id = ?`);
    const write = this.db.transaction(() => {
      for (const row of rows) {
        const scope = { connection: row.connection, model: row.model, variant: row.variant };
        const sealed = cipher.seal(cipher.open(row.data, recordBinding(scope, row.id)), recordBinding(scope, row.id));
        update.run(sealed.text, sealed.keyId, row.connection, row.model, row.variant, row.id);
      }
      return rows.length;
    });
    return withStorageErrors(() => write.immediate());
  }

  /** Marks ids deleted with stamps past the scope's largest; inside the caller's transaction or alone. */
  private deleteIds(scope: RecordScope, ids: readonly string[], now: number): number {
    const key = scopeKey(scope);
    const run = this.db.transaction(() => {
      let stamp = firstStamp(now, this.statements.largest.get(...key)?.stamp);
      let changed = 0;
      for (const id of ids) {
        const result = this.statements.delete.run(now, stamp, ...key, id);
        if (result.changes > 0) {
          changed += 1;
          stamp += 1;
        }
      }
      return changed;
    });
    return run.immediate();
  }
}

interface ResealRow {
  connection: string;
  model: string;
  variant: string;
  id: string;
  data: string;
}

function scopeKey(scope: RecordScope): [string, string, string] {
  return [scope.connection, scope.model, scope.variant];
}
