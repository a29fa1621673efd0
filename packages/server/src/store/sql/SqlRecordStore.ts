import type { CredentialCipher } from '../../encryption/CredentialCipher';
import {
  decodeCursor,
  encodeCursor,
  openRecordRow,
  recordBinding,
  type RecordInput,
  type RecordPage,
  type RecordQuery,
  type RecordRow,
  type RecordScope,
  type RecordStore,
  type SaveOptions,
  type SaveResult,
} from '../RecordStore';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/** The condition on a scope's rows; its values are scopeKey(scope). */
export const SCOPE = 'connection = ? AND model = ? AND variant = ?';
const COLUMNS = 'id, data, key_id, first_seen_at, modified_at, last_action, deleted_at, pruned_at';

/** The statements of the records table, by name: one text for both databases, `?` placeholders. */
export function recordSql(d: SqlDialect) {
  return {
    /** The scope's largest stamp: a write's stamps start past it. */
    largest: `SELECT MAX(modified_at) AS stamp FROM records WHERE ${SCOPE}`,
    /** A page: the conditions built per call (see list), the page size last. */
    list: (where: readonly string[]) =>
      `SELECT ${COLUMNS} FROM records WHERE ${[SCOPE, ...where].join(' AND ')} ORDER BY modified_at, id LIMIT ?`,
    /** Records a prune may empty: up to a cursor (its stamp twice, then its id), oldest first, at most a limit. */
    toPrune: `SELECT id FROM records
      WHERE ${SCOPE} AND pruned_at IS NULL AND modified_at <= ? AND (modified_at < ? OR id <= ?)
      ORDER BY modified_at, id LIMIT ?`,
    count: `SELECT COUNT(*) AS total, SUM(CASE WHEN last_action = 'DELETED' THEN 1 ELSE 0 END) AS deleted
      FROM records WHERE ${SCOPE}`,
    clear: `DELETE FROM records WHERE ${SCOPE}`,
    newest: `SELECT modified_at, id FROM records WHERE ${SCOPE} ORDER BY modified_at DESC, id DESC LIMIT 1`,
    deleteConnection: 'DELETE FROM records WHERE connection = ?',
    /** A batch of a model's records over an integration's Connections (their primary keys, picked up to a limit). */
    deleteIntegrationModel: `DELETE FROM records WHERE (connection, model, variant, id) IN (
      SELECT r.connection, r.model, r.variant, r.id FROM records r JOIN connections c ON c.uuid = r.connection
      WHERE c.integration = ? AND r.model = ? LIMIT ?)`,
    keyIdsInUse: 'SELECT DISTINCT key_id FROM records WHERE key_id IS NOT NULL',
    /** Payloads sealed with another key than the current one; read-then-write, so locked on PostgreSQL. */
    sealedWithOtherKeys: `SELECT connection, model, variant, id, data FROM records
      WHERE key_id IS NOT NULL AND key_id <> ? AND data IS NOT NULL LIMIT ?${d.forUpdate}`,
    reseal: `UPDATE records SET data = ?, key_id = ? WHERE ${SCOPE} AND id = ?`,
  };
}

/** A record picked for re-sealing. */
export interface ResealRow {
  connection: string;
  model: string;
  variant: string;
  id: string;
  data: string;
}

/**
 * Sync records (see RecordStore) in SQL both databases run: reads, counts and deletes of a scope. The writes that
 * stamp records are each database's own (SqliteRecordStore, PgRecordStore): SQLite writes row by row inside one
 * immediate transaction, PostgreSQL writes set-based statements under an advisory lock on the scope.
 */
export abstract class SqlRecordStore implements RecordStore {
  protected readonly sql: ReturnType<typeof recordSql>;

  constructor(
    protected readonly db: SqlRunner,
    dialect: SqlDialect,
    protected readonly cipher: CredentialCipher,
  ) {
    this.sql = recordSql(dialect);
  }

  abstract save(scope: RecordScope, records: readonly RecordInput[], options: SaveOptions): Promise<SaveResult>;
  abstract markDeleted(scope: RecordScope, ids: readonly string[], options: SaveOptions): Promise<number>;
  abstract markUnseenDeleted(scope: RecordScope, runId: string, now?: number): Promise<string[]>;
  abstract prune(
    scope: RecordScope,
    untilCursor: string,
    limit: number,
    now?: number,
  ): Promise<{ count: number; hasMore: boolean }>;
  abstract reencryptBatch(cipher: CredentialCipher, limit: number): Promise<number>;

  async lastCursor(scope: RecordScope): Promise<string | null> {
    const row = await this.db.get<{ modified_at: number | string; id: string }>(this.sql.newest, scopeKey(scope));
    return row ? encodeCursor(Number(row.modified_at), row.id) : null;
  }

  async list(scope: RecordScope, query: RecordQuery): Promise<RecordPage> {
    const where: string[] = [];
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
    const rows = await this.db.all<RecordRow>(this.sql.list(where), [...params, query.limit + 1]);
    const page = rows.slice(0, query.limit).map((row) => openRecordRow(this.cipher, scope, row));
    const last = page[page.length - 1];
    return { records: page, nextCursor: rows.length > query.limit && last ? last.cursor : null };
  }

  async count(scope: RecordScope): Promise<{ total: number; deleted: number }> {
    const row = await this.db.get<{ total: number; deleted: number | null }>(this.sql.count, scopeKey(scope));
    return { total: Number(row?.total ?? 0), deleted: Number(row?.deleted ?? 0) };
  }

  async clear(scope: RecordScope): Promise<number> {
    return this.db.run(this.sql.clear, scopeKey(scope));
  }

  async deleteIntegrationModel(integration: string, model: string, limit: number): Promise<number> {
    return this.db.run(this.sql.deleteIntegrationModel, [integration, model, limit]);
  }

  async deleteConnection(connection: string): Promise<number> {
    return this.db.run(this.sql.deleteConnection, [connection]);
  }

  async keyIdsInUse(): Promise<string[]> {
    return (await this.db.all<{ key_id: string }>(this.sql.keyIdsInUse)).map((row) => row.key_id);
  }
}

/** The values of SCOPE. */
export function scopeKey(scope: RecordScope): [string, string, string] {
  return [scope.connection, scope.model, scope.variant];
}

/** The values of `toPrune`: the scope, the cursor's stamp twice and its id, and one more than `limit`. */
export function pruneParams(scope: RecordScope, untilCursor: string, limit: number): unknown[] {
  const { stamp, id } = decodeCursor(untilCursor);
  return [...scopeKey(scope), stamp, stamp, id, limit + 1];
}

/** A payload sealed again with the current key, bound to its row as before. */
export function resealed(cipher: CredentialCipher, row: ResealRow): { text: string; keyId: string } {
  const binding = recordBinding({ connection: row.connection, model: row.model, variant: row.variant }, row.id);
  return cipher.seal(cipher.open(row.data, binding), binding);
}
