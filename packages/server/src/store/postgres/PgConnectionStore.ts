import type { StoredCredentials } from '@nangohq/protocol';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { getColumns, PUBLIC_COLUMNS, type GetRow, type PublicRow } from '../connectionRows';
import { POSTGRES } from '../sql/dialect';
import { SqlConnectionStore, type GetValues } from '../sql/SqlConnectionStore';
import type { Pg } from './Pg';
import { PgRunner } from './PgRunner';
import { ReadBatcher } from './ReadBatcher';

/**
 * The reads asked together in one statement (see ReadBatcher): the keys as arrays, each row tagged with the position
 * of its key (`n`, from 1). The lateral subqueries are the single reads' own statements, one per key.
 */
const BATCH_SQL = {
  get: `SELECT u.n, c.* FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
      WITH ORDINALITY AS u(held_uuid, held_version, wanted_integration, wanted_user, n)
    CROSS JOIN LATERAL (SELECT ${getColumns('u.held_uuid', 'u.held_version')} FROM connections
      WHERE integration = u.wanted_integration AND user_id = u.wanted_user) AS c`,
  byUserId: `SELECT u.n, c.* FROM unnest($1::text[]) WITH ORDINALITY AS u(wanted_user, n)
    CROSS JOIN LATERAL (SELECT ${PUBLIC_COLUMNS} FROM connections WHERE user_id = u.wanted_user) AS c
    ORDER BY u.n, c.integration${POSTGRES.byteOrder}`,
} as const;

/** Rows tagged with the position of their key, grouped by it: `keys` lists of rows, in key order. */
function byKey<R>(rows: ReadonlyArray<R & { n: number }>, keys: number): R[][] {
  const groups: R[][] = Array.from({ length: keys }, () => []);
  for (const { n, ...row } of rows) groups[n - 1]?.push(row as unknown as R);
  return groups;
}

/**
 * Connections in PostgreSQL (see SqlConnectionStore for the statements). The writes that read first lock the rows
 * they read (`SELECT … FOR UPDATE`) in a transaction, so no other writer of those rows interleaves.
 */
export class PgConnectionStore extends SqlConnectionStore {
  private readonly rows: ReadBatcher<GetValues, GetRow | undefined>;
  private readonly userRows: ReadBatcher<string, PublicRow[]>;

  constructor(
    private readonly pg: Pg,
    cipher: CredentialCipher,
  ) {
    super(new PgRunner(pg), POSTGRES, cipher);
    this.rows = new ReadBatcher(
      (values) => super.readRow(values),
      async (keys) => {
        const columns = [0, 1, 2, 3].map((index) => keys.map((key) => key[index]));
        const { rows } = await this.pg.query<GetRow & { n: number }>({
          name: 'connections_get_many',
          text: BATCH_SQL.get,
          values: columns,
        });
        return byKey(rows, keys.length).map((found) => found[0]);
      },
    );
    this.userRows = new ReadBatcher(
      (userId) => super.readByUserId(userId),
      async (userIds) => {
        const { rows } = await this.pg.query<PublicRow & { n: number }>({
          name: 'connections_by_user_id_many',
          text: BATCH_SQL.byUserId,
          values: [userIds],
        });
        return byKey(rows, userIds.length);
      },
    );
  }

  protected override readRow(values: GetValues): Promise<GetRow | undefined> {
    return this.rows.load(values);
  }

  protected override readByUserId(userId: string): Promise<PublicRow[]> {
    return this.userRows.load(userId);
  }

  async updateCredentials(integration: string, userId: string, credentials: StoredCredentials): Promise<boolean> {
    return this.writing(async () => {
      return this.pg.transaction(async (client) => {
        const tx = new PgRunner(client);
        const found = await tx.get<{ uuid: string }>(this.sql.uuidForUpdate, [integration, userId]);
        if (!found) return false;
        const sealed = this.cipher.seal(JSON.stringify(credentials), found.uuid); // bound to its row: needs the uuid
        await tx.run(this.sql.updateCredentials, [sealed.text, sealed.keyId, new Date().toISOString(), found.uuid]);
        return true;
      });
    });
  }

  async updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  ): Promise<string[]> {
    return this.writing(async () => {
      return this.pg.transaction(async (client) => {
        const tx = new PgRunner(client);
        // The rows are locked in one order (by user id) so that two merges of overlapping users cannot deadlock.
        const { rows } = await client.query<{ user_id: string; additional_config: string }>(
          `SELECT user_id, additional_config FROM connections WHERE integration = $1 AND user_id = ANY($2)
           ORDER BY user_id FOR UPDATE`,
          [integration, userIds],
        );
        const found = new Map(rows.map((row) => [row.user_id, row.additional_config]));
        const missing = userIds.filter((userId) => !found.has(userId));
        if (missing.length > 0) return missing;
        const now = new Date().toISOString();
        for (const userId of userIds) {
          const current = JSON.parse(found.get(userId) ?? '{}') as Record<string, unknown>;
          await tx.run(this.sql.updateConfig, [JSON.stringify(change(current, userId)), now, integration, userId]);
        }
        return [];
      });
    });
  }
}
