import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { firstStamp, sealRecord, type RecordInput, type RecordScope, type SaveOptions, type SaveResult } from '../RecordStore';
import { POSTGRES } from '../sql/dialect';
import { pruneParams, resealed, scopeKey, SqlRecordStore, type ResealRow } from '../sql/SqlRecordStore';
import type { Pg, PgClient } from './Pg';
import { PgRunner } from './PgRunner';

const SCOPE = 'connection = $1 AND model = $2 AND variant = $3';

/** PostgreSQL's writes: set-based statements, the rows passed as arrays. */
const BATCH_SQL = {
  /** A batch saved in one call (migration 15's function): lock, stamps, comparison and writes. */
  save: `SELECT added, updated, unchanged
    FROM records_save($1, $2, $3, $4, $5, $6::text[], $7::text[], $8::text[], $9::text[])`,
  /** Marks DELETED the live records that `condition` ($6 onwards) picks, with fresh stamps from $5 in id order. */
  delete: (condition: string) => `UPDATE records r SET last_action = 'DELETED', deleted_at = $4, modified_at = $5 + picked.n - 1
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM records
          WHERE ${SCOPE} AND last_action <> 'DELETED' AND ${condition}) AS picked
    WHERE r.connection = $1 AND r.model = $2 AND r.variant = $3 AND r.id = picked.id
    RETURNING r.id`,
  prune: `UPDATE records SET data = NULL, key_id = NULL, pruned_at = $4 WHERE ${SCOPE} AND id = ANY($5::text[])`,
  lockScope: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
} as const;

/**
 * Sync records in PostgreSQL (see SqlRecordStore). A write takes a transaction-scoped advisory lock on its scope, so
 * stamps stay strictly increasing per scope even if two writers met. A save is one call of the `records_save`
 * function; deletes and prunes are a few set-based statements in a transaction.
 */
export class PgRecordStore extends SqlRecordStore {
  constructor(
    private readonly pg: Pg,
    cipher: CredentialCipher,
  ) {
    super(new PgRunner(pg), POSTGRES, cipher);
  }

  /**
   * One round trip: `records_save` (migration 15) takes the scope's lock, stamps, compares and writes in the one
   * transaction of its call. Sealing happens here first, as before; the database only compares hashes and writes.
   */
  async save(scope: RecordScope, records: readonly RecordInput[], options: SaveOptions): Promise<SaveResult> {
    const now = options.now ?? Date.now();
    const latest = new Map(records.map((record) => [record.id, record]));
    const prepared = [...latest.values()].map((record) => sealRecord(this.cipher, scope, record, options.encrypt));
    const { rows } = await this.pg.query<SaveResult>({
      name: 'records_save', // parsed once per connection: a sync run calls it batch after batch
      text: BATCH_SQL.save,
      values: [
        ...scopeKey(scope),
        now,
        options.runId,
        prepared.map((record) => record.id),
        prepared.map((record) => record.hash),
        prepared.map((record) => record.data),
        prepared.map((record) => record.keyId),
      ],
    });
    const counts = rows[0];
    return { added: counts?.added ?? 0, updated: counts?.updated ?? 0, unchanged: counts?.unchanged ?? 0 };
  }

  async markDeleted(scope: RecordScope, ids: readonly string[], options: SaveOptions): Promise<number> {
    const now = options.now ?? Date.now();
    const unique = [...new Set(ids)];
    return (await this.pg.transaction((client) => this.deleteWhere(client, scope, now, 'id = ANY($6::text[])', [unique]))).length;
  }

  async markUnseenDeleted(scope: RecordScope, runId: string, now = Date.now()): Promise<string[]> {
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
  ): Promise<string[]> {
    const stamp = await this.lockScope(client, scope, now);
    const result = await client.query<{ id: string }>(BATCH_SQL.delete(condition), [...scopeKey(scope), now, stamp, ...extra]);
    return result.rows.map((row) => row.id);
  }

  /** Serialises writers of one scope for the transaction, and returns the first stamp it may use. */
  private async lockScope(client: PgClient, scope: RecordScope, now: number): Promise<number> {
    await client.query(BATCH_SQL.lockScope, [`records:${scope.connection}:${scope.model}:${scope.variant}`]);
    const row = await new PgRunner(client).get<{ stamp: number | null }>(this.sql.largest, scopeKey(scope));
    return firstStamp(now, row?.stamp);
  }
}
