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
import type { Pg, PgClient } from './Pg';

const SCOPE = 'connection = $1 AND model = $2 AND variant = $3';
const COLUMNS = 'id, data, key_id, first_seen_at, modified_at, last_action, deleted_at, pruned_at';

/**
 * Sync records in PostgreSQL (see RecordStore). A write takes a transaction-scoped advisory lock on its scope, so
 * stamps stay strictly increasing per scope even if two writers met; each batch is a few set-based statements.
 */
export class PgRecordStore implements RecordStore {
  constructor(
    private readonly pg: Pg,
    private readonly cipher: CredentialCipher,
  ) {}

  async save(scope: RecordScope, records: readonly RecordInput[], options: SaveOptions): Promise<SaveResult> {
    const now = options.now ?? Date.now();
    const latest = new Map(records.map((record) => [record.id, record]));
    const prepared = [...latest.values()].map((record) => sealRecord(this.cipher, scope, record, options.encrypt));
    return this.pg.transaction(async (client) => {
      let stamp = await lockScope(client, scope, now);
      const { rows } = await client.query<{ id: string; hash: string; last_action: string }>(
        `SELECT id, hash, last_action FROM records WHERE ${SCOPE} AND id = ANY($4::text[])`,
        [...scopeKey(scope), prepared.map((record) => record.id)],
      );
      const current = new Map(rows.map((row) => [row.id, row]));
      const result: SaveResult = { added: 0, updated: 0, unchanged: 0 };
      const inserts: typeof prepared = [];
      const changes: Array<(typeof prepared)[number] & { stamp: number; action: string }> = [];
      const seen: string[] = [];
      const insertStamps: number[] = [];
      for (const record of prepared) {
        const row = current.get(record.id);
        if (!row) {
          inserts.push(record);
          insertStamps.push(stamp++);
          result.added += 1;
        } else if (row.hash === record.hash && row.last_action !== 'DELETED') {
          seen.push(record.id);
          result.unchanged += 1;
        } else {
          const action = row.last_action === 'DELETED' ? 'ADDED' : 'UPDATED';
          changes.push({ ...record, stamp: stamp++, action });
          if (action === 'ADDED') result.added += 1;
          else result.updated += 1;
        }
      }
      if (inserts.length > 0) {
        await client.query(
          `INSERT INTO records (connection, model, variant, id, hash, data, key_id, first_seen_at, modified_at, last_action, seen_run)
           SELECT $1, $2, $3, u.id, u.hash, u.data, u.key_id, $4, u.stamp, 'ADDED', $5
           FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[]) AS u(id, hash, data, key_id, stamp)`,
          [
            ...scopeKey(scope),
            now,
            options.runId,
            inserts.map((record) => record.id),
            inserts.map((record) => record.hash),
            inserts.map((record) => record.data),
            inserts.map((record) => record.keyId),
            insertStamps,
          ],
        );
      }
      if (changes.length > 0) {
        await client.query(
          `UPDATE records r SET hash = u.hash, data = u.data, key_id = u.key_id, modified_at = u.stamp,
             last_action = u.action, deleted_at = NULL, pruned_at = NULL, seen_run = $4
           FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
             AS u(id, hash, data, key_id, stamp, action)
           WHERE r.connection = $1 AND r.model = $2 AND r.variant = $3 AND r.id = u.id`,
          [
            ...scopeKey(scope),
            options.runId,
            changes.map((record) => record.id),
            changes.map((record) => record.hash),
            changes.map((record) => record.data),
            changes.map((record) => record.keyId),
            changes.map((record) => record.stamp),
            changes.map((record) => record.action),
          ],
        );
      }
      if (seen.length > 0) {
        await client.query(`UPDATE records SET seen_run = $4 WHERE ${SCOPE} AND id = ANY($5::text[])`, [
          ...scopeKey(scope),
          options.runId,
          seen,
        ]);
      }
      return result;
    });
  }

  async markDeleted(scope: RecordScope, ids: readonly string[], options: SaveOptions): Promise<number> {
    const now = options.now ?? Date.now();
    return this.pg.transaction((client) => this.deleteWhere(client, scope, now, 'id = ANY($6::text[])', [[...new Set(ids)]]));
  }

  async markUnseenDeleted(scope: RecordScope, runId: string, now = Date.now()): Promise<number> {
    return this.pg.transaction((client) => this.deleteWhere(client, scope, now, 'seen_run <> $6', [runId]));
  }

  async list(scope: RecordScope, query: RecordQuery): Promise<RecordPage> {
    const where = [SCOPE];
    const params: unknown[] = scopeKey(scope);
    const next = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.cursor !== undefined) {
      const { stamp, id } = decodeCursor(query.cursor);
      where.push(`(modified_at, id) > (${next(stamp)}, ${next(id)})`);
    }
    if (query.modifiedAfter !== undefined) where.push(`modified_at >= ${next((query.modifiedAfter + 1) * 1000)}`);
    if (query.actions !== undefined && query.actions.length > 0) where.push(`last_action = ANY(${next(query.actions)}::text[])`);
    if (query.ids !== undefined && query.ids.length > 0) where.push(`id = ANY(${next(query.ids)}::text[])`);
    const { rows } = await this.pg.query<RecordRow>(
      `SELECT ${COLUMNS} FROM records WHERE ${where.join(' AND ')} ORDER BY modified_at, id LIMIT ${next(query.limit + 1)}`,
      params,
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
    return this.pg.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM records WHERE ${SCOPE} AND pruned_at IS NULL AND (modified_at, id) <= ($4, $5)
         ORDER BY modified_at, id LIMIT $6`,
        [...scopeKey(scope), stamp, id, limit + 1],
      );
      const pruned = rows.slice(0, limit).map((row) => row.id);
      if (pruned.length > 0) {
        await client.query(
          `UPDATE records SET data = NULL, key_id = NULL, pruned_at = $4 WHERE ${SCOPE} AND id = ANY($5::text[])`,
          [...scopeKey(scope), now, pruned],
        );
      }
      return { count: pruned.length, hasMore: rows.length > limit };
    });
  }

  async count(scope: RecordScope): Promise<{ total: number; deleted: number }> {
    const { rows } = await this.pg.query<{ total: number; deleted: number }>(
      `SELECT COUNT(*)::int AS total, COUNT(*) FILTER (WHERE last_action = 'DELETED')::int AS deleted
       FROM records WHERE ${SCOPE}`,
      scopeKey(scope),
    );
    return { total: rows[0]?.total ?? 0, deleted: rows[0]?.deleted ?? 0 };
  }

  async clear(scope: RecordScope): Promise<number> {
    const result = await this.pg.query(`DELETE FROM records WHERE ${SCOPE}`, scopeKey(scope));
    return result.rowCount ?? 0;
  }

  async deleteConnection(connection: string): Promise<number> {
    const result = await this.pg.query('DELETE FROM records WHERE connection = $1', [connection]);
    return result.rowCount ?? 0;
  }

  async keyIdsInUse(): Promise<string[]> {
    const { rows } = await this.pg.query<{ key_id: string }>('SELECT DISTINCT key_id FROM records WHERE key_id IS NOT NULL');
    return rows.map((row) => row.key_id);
  }

  async reencryptBatch(cipher: CredentialCipher, limit: number): Promise<number> {
    return this.pg.transaction(async (client) => {
      const { rows } = await client.query<{ connection: string; model: string; variant: string; id: string; data: string }>(
        `SELECT connection, model, variant, id, data FROM records
         WHERE key_id IS NOT NULL AND key_id <> $1 AND data IS NOT NULL LIMIT $2 FOR UPDATE`,
        [cipher.currentKeyId, limit],
      );
      for (const row of rows) {
        const scope = { connection: row.connection, model: row.model, variant: row.variant };
        const sealed = cipher.seal(cipher.open(row.data, recordBinding(scope, row.id)), recordBinding(scope, row.id));
        await client.query(`UPDATE records SET data = $5, key_id = $6 WHERE ${SCOPE} AND id = $4`, [
          row.connection,
          row.model,
          row.variant,
          row.id,
          sealed.text,
          sealed.keyId,
        ]);
      }
      return rows.length;
    });
  }

  /** Marks DELETED the live records of a scope that `condition` ($6 onwards) picks, with fresh stamps in id order. */
  private async deleteWhere(
    client: PgClient,
    scope: RecordScope,
    now: number,
    condition: string,
    extra: unknown[],
  ): Promise<number> {
    const stamp = await lockScope(client, scope, now);
    const result = await client.query(
      `UPDATE records r SET last_action = 'DELETED', deleted_at = $4, modified_at = $5 + picked.n - 1
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM records
             WHERE ${SCOPE} AND last_action <> 'DELETED' AND ${condition}) AS picked
       WHERE r.connection = $1 AND r.model = $2 AND r.variant = $3 AND r.id = picked.id`,
      [...scopeKey(scope), now, stamp, ...extra],
    );
    return result.rowCount ?? 0;
  }
}

/** Serialises writers of one scope for the transaction, and returns the first stamp it may use. */
async function lockScope(client: PgClient, scope: RecordScope, now: number): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `records:${scope.connection}:${scope.model}:${scope.variant}`,
  ]);
  const { rows } = await client.query<{ stamp: number | null }>(
    `SELECT MAX(modified_at) AS stamp FROM records WHERE ${SCOPE}`,
    scopeKey(scope),
  );
  return firstStamp(now, rows[0]?.stamp);
}

function scopeKey(scope: RecordScope): [string, string, string] {
  return [scope.connection, scope.model, scope.variant];
}
