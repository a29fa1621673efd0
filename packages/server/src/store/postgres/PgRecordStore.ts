import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { firstStamp, sealRecord, type RecordInput, type RecordScope, type SaveOptions, type SaveResult } from '../RecordStore';
import { POSTGRES } from '../sql/dialect';
import { pruneParams, resealed, scopeKey, SqlRecordStore, type ResealRow } from '../sql/SqlRecordStore';
import type { Pg, PgClient } from './Pg';
import { PgRunner } from './PgRunner';

const SCOPE = 'connection = $1 AND model = $2 AND variant = $3';

/** PostgreSQL's writes: a few set-based statements per batch, the rows passed as arrays. */
const BATCH_SQL = {
  current: `SELECT id, hash, last_action FROM records WHERE ${SCOPE} AND id = ANY($4::text[])`,
  insert: `INSERT INTO records (connection, model, variant, id, hash, data, key_id, first_seen_at, modified_at, last_action, seen_run)
    SELECT $1, $2, $3, u.id, u.hash, u.data, u.key_id, $4, u.stamp, 'ADDED', $5
    FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[]) AS u(id, hash, data, key_id, stamp)`,
  change: `UPDATE records r SET hash = u.hash, data = u.data, key_id = u.key_id, modified_at = u.stamp,
      last_action = u.action, deleted_at = NULL, pruned_at = NULL, seen_run = $4
    FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
      AS u(id, hash, data, key_id, stamp, action)
    WHERE r.connection = $1 AND r.model = $2 AND r.variant = $3 AND r.id = u.id`,
  seen: `UPDATE records SET seen_run = $4 WHERE ${SCOPE} AND id = ANY($5::text[])`,
  /** Marks DELETED the live records that `condition` ($6 onwards) picks, with fresh stamps from $5 in id order. */
  delete: (condition: string) => `UPDATE records r SET last_action = 'DELETED', deleted_at = $4, modified_at = $5 + picked.n - 1
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM records
          WHERE ${SCOPE} AND last_action <> 'DELETED' AND ${condition}) AS picked
    WHERE r.connection = $1 AND r.model = $2 AND r.variant = $3 AND r.id = picked.id`,
  prune: `UPDATE records SET data = NULL, key_id = NULL, pruned_at = $4 WHERE ${SCOPE} AND id = ANY($5::text[])`,
  lockScope: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
} as const;

/**
 * Sync records in PostgreSQL (see SqlRecordStore). A write takes a transaction-scoped advisory lock on its scope, so
 * stamps stay strictly increasing per scope even if two writers met; each batch is a few set-based statements.
 */
export class PgRecordStore extends SqlRecordStore {
  constructor(
    private readonly pg: Pg,
    cipher: CredentialCipher,
  ) {
    super(new PgRunner(pg), POSTGRES, cipher);
  }

  async save(scope: RecordScope, records: readonly RecordInput[], options: SaveOptions): Promise<SaveResult> {
    const now = options.now ?? Date.now();
    const latest = new Map(records.map((record) => [record.id, record]));
    const prepared = [...latest.values()].map((record) => sealRecord(this.cipher, scope, record, options.encrypt));
    return this.pg.transaction(async (client) => {
      let stamp = await this.lockScope(client, scope, now);
      const { rows } = await client.query<{ id: string; hash: string; last_action: string }>(BATCH_SQL.current, [
        ...scopeKey(scope),
        prepared.map((record) => record.id),
      ]);
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
        await client.query(BATCH_SQL.insert, [
          ...scopeKey(scope),
          now,
          options.runId,
          inserts.map((record) => record.id),
          inserts.map((record) => record.hash),
          inserts.map((record) => record.data),
          inserts.map((record) => record.keyId),
          insertStamps,
        ]);
      }
      if (changes.length > 0) {
        await client.query(BATCH_SQL.change, [
          ...scopeKey(scope),
          options.runId,
          changes.map((record) => record.id),
          changes.map((record) => record.hash),
          changes.map((record) => record.data),
          changes.map((record) => record.keyId),
          changes.map((record) => record.stamp),
          changes.map((record) => record.action),
        ]);
      }
      if (seen.length > 0) await client.query(BATCH_SQL.seen, [...scopeKey(scope), options.runId, seen]);
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

  async prune(
    scope: RecordScope,
    untilCursor: string,
    limit: number,
    now = Date.now(),
  ): Promise<{ count: number; hasMore: boolean }> {
    const params = pruneParams(scope, untilCursor, limit);
    return this.pg.transaction(async (client) => {
      const rows = await new PgRunner(client).all<{ id: string }>(this.sql.toPrune, params);
      const pruned = rows.slice(0, limit).map((row) => row.id);
      if (pruned.length > 0) await client.query(BATCH_SQL.prune, [...scopeKey(scope), now, pruned]);
      return { count: pruned.length, hasMore: rows.length > limit };
    });
  }

  async reencryptBatch(cipher: CredentialCipher, limit: number): Promise<number> {
    return this.pg.transaction(async (client) => {
      const tx = new PgRunner(client);
      const rows = await tx.all<ResealRow>(this.sql.sealedWithOtherKeys, [cipher.currentKeyId, limit]);
      for (const row of rows) {
        const sealed = resealed(cipher, row);
        await tx.run(this.sql.reseal, [sealed.text, sealed.keyId, row.connection, row.model, row.variant, row.id]);
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
    const stamp = await this.lockScope(client, scope, now);
    const result = await client.query(BATCH_SQL.delete(condition), [...scopeKey(scope), now, stamp, ...extra]);
    return result.rowCount ?? 0;
  }

  /** Serialises writers of one scope for the transaction, and returns the first stamp it may use. */
  private async lockScope(client: PgClient, scope: RecordScope, now: number): Promise<number> {
    await client.query(BATCH_SQL.lockScope, [`records:${scope.connection}:${scope.model}:${scope.variant}`]);
    const row = await new PgRunner(client).get<{ stamp: number | null }>(this.sql.largest, scopeKey(scope));
    return firstStamp(now, row?.stamp);
  }
}
