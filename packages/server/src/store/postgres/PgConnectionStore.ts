import { randomUUID } from 'node:crypto';
import type { NangoConnection, NangoConnectionPublic, StoredCredentials } from '@nangohq/protocol';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { WorkerError } from '../../errors';
import {
  attributeColumns,
  configOfRow,
  connectionExistsMessage,
  getColumns,
  LISTING_COLUMNS,
  matchesFilter,
  pageOf,
  prefilters,
  PUBLIC_COLUMNS,
  toAttributes,
  toListing,
  toPublic,
  type AttributeRow,
  type GetRow,
  type ListingRow,
  type PublicRow,
} from '../connectionRows';
import { ConfigCache } from '../ConfigCache';
import type { ConnectionAttributes, ConnectionFilter, ConnectionListing, ConnectionStore, NewConnection } from '../Store';
import type { Pg } from './Pg';
import { UNIQUE_VIOLATION } from './pgErrors';

/** Every write of a config bumps config_version: that is what tells a cached text from a stale one (ConfigCache). */
const UPDATE_CONFIG = `UPDATE connections SET additional_config = $1, last_modified = $2, config_version = config_version + 1
  WHERE integration = $3 AND user_id = $4`;

/**
 * Connections in PostgreSQL (see ConnectionStore). One registration per (integration, user id) is the table's
 * unique constraint; writes that read first lock the rows they read (`SELECT … FOR UPDATE`), and refreshed
 * credentials are fenced by a conditional update on their version, as on SQLite.
 */
export class PgConnectionStore implements ConnectionStore {
  /** Large configs lately read, so that get reads them again only once they changed. */
  private readonly configs = new ConfigCache();

  constructor(
    private readonly pg: Pg,
    private readonly cipher: CredentialCipher,
  ) {}

  async insert(input: NewConnection): Promise<NangoConnection> {
    const now = new Date().toISOString();
    const uuid = randomUUID();
    const sealed = this.cipher.seal(JSON.stringify(input.credentials), uuid);
    const additionalConfig = JSON.stringify(input.additionalConfig);
    try {
      await this.pg.query(
        `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config, key_id)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
        [uuid, input.integration, input.userId, now, sealed.text, additionalConfig, sealed.keyId],
      );
    } catch (error) {
      if ((error as { cause?: { code?: unknown } }).cause?.code === UNIQUE_VIOLATION) {
        throw new WorkerError('connection_exists', connectionExistsMessage(input.integration, input.userId));
      }
      throw error;
    }
    const row = {
      uuid,
      integration: input.integration,
      user_id: input.userId,
      date_created: now,
      last_modified: now,
      additional_config: additionalConfig,
      auth_status: 'ok' as const,
      auth_error: null,
    };
    return Object.assign(toPublic(row), { credentials: input.credentials });
  }

  async get(integration: string, userId: string): Promise<NangoConnection | undefined> {
    const held = this.configs.held(integration, userId);
    const { rows } = await this.pg.query<GetRow>(
      `SELECT ${getColumns('$1', '$2')} FROM connections WHERE integration = $3 AND user_id = $4`,
      [held?.uuid ?? '', held?.version ?? -1, integration, userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const credentials = JSON.parse(this.cipher.open(row.credentials, row.uuid)) as StoredCredentials;
    const additional_config = configOfRow(row, held, this.configs);
    // Object.assign, not a spread: a spread would read (and so parse) the config, which most callers never need.
    return Object.assign(toPublic({ ...row, additional_config }), { credentials });
  }

  async updateConfig(integration: string, userId: string, additionalConfig: Record<string, unknown>): Promise<boolean> {
    const { rowCount } = await this.pg.query(UPDATE_CONFIG, [
      JSON.stringify(additionalConfig),
      new Date().toISOString(),
      integration,
      userId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async updateCredentials(integration: string, userId: string, credentials: StoredCredentials): Promise<boolean> {
    return this.pg.transaction(async (client) => {
      const { rows } = await client.query<{ uuid: string }>(
        'SELECT uuid FROM connections WHERE integration = $1 AND user_id = $2 FOR UPDATE',
        [integration, userId],
      );
      const found = rows[0];
      if (!found) return false;
      const sealed = this.cipher.seal(JSON.stringify(credentials), found.uuid); // bound to its row: needs the uuid
      await client.query(
        `UPDATE connections SET credentials = $1, key_id = $2, last_modified = $3, auth_status = 'ok', auth_error = NULL,
         refresh_failed_until = NULL, cred_version = cred_version + 1 WHERE uuid = $4`,
        [sealed.text, sealed.keyId, new Date().toISOString(), found.uuid],
      );
      return true;
    });
  }

  async credentialsVersion(uuid: string): Promise<number | undefined> {
    const { rows } = await this.pg.query<{ cred_version: number }>('SELECT cred_version FROM connections WHERE uuid = $1', [
      uuid,
    ]);
    return rows[0]?.cred_version;
  }

  async replaceCredentials(uuid: string, credentials: StoredCredentials, expectedVersion: number): Promise<boolean> {
    const sealed = this.cipher.seal(JSON.stringify(credentials), uuid);
    const { rowCount } = await this.pg.query(
      `UPDATE connections SET credentials = $1, key_id = $2, last_modified = $3, auth_status = 'ok', auth_error = NULL,
       refresh_failed_until = NULL, cred_version = cred_version + 1 WHERE uuid = $4 AND cred_version = $5`,
      [sealed.text, sealed.keyId, new Date().toISOString(), uuid, expectedVersion],
    );
    return (rowCount ?? 0) > 0;
  }

  async markNeedsReauthorization(uuid: string, reason: string, expectedVersion: number): Promise<boolean> {
    const { rowCount } = await this.pg.query(
      "UPDATE connections SET auth_status = 'needs_reauthorization', auth_error = $1, last_modified = $2 WHERE uuid = $3 AND cred_version = $4",
      [reason, new Date().toISOString(), uuid, expectedVersion],
    );
    return (rowCount ?? 0) > 0;
  }

  async setRefreshCooldown(uuid: string, until: number | undefined): Promise<void> {
    await this.pg.query('UPDATE connections SET refresh_failed_until = $1 WHERE uuid = $2', [until ?? null, uuid]);
  }

  async refreshCooldown(uuid: string): Promise<number | undefined> {
    const { rows } = await this.pg.query<{ refresh_failed_until: number | null }>(
      'SELECT refresh_failed_until FROM connections WHERE uuid = $1',
      [uuid],
    );
    return rows[0]?.refresh_failed_until ?? undefined;
  }

  async listByUserId(userId: string): Promise<NangoConnectionPublic[]> {
    const { rows } = await this.pg.query<PublicRow>(
      `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE user_id = $1 ORDER BY integration COLLATE "C"`,
      [userId],
    );
    return rows.map(toPublic);
  }

  async listByIntegration(integration: string): Promise<NangoConnectionPublic[]> {
    const { rows } = await this.pg.query<PublicRow>(
      `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE integration = $1 ORDER BY user_id COLLATE "C"`,
      [integration],
    );
    return rows.map(toPublic);
  }

  async listAll(): Promise<NangoConnectionPublic[]> {
    const { rows } = await this.pg.query<PublicRow>(
      `SELECT ${PUBLIC_COLUMNS} FROM connections ORDER BY integration COLLATE "C", user_id COLLATE "C"`,
    );
    return rows.map(toPublic);
  }

  async getConfig(integration: string, userId: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await this.pg.query<{ additional_config: string }>(
      'SELECT additional_config FROM connections WHERE integration = $1 AND user_id = $2',
      [integration, userId],
    );
    const row = rows[0];
    return row && (JSON.parse(row.additional_config) as Record<string, unknown>);
  }

  async configJson(integration: string, userId: string): Promise<string | undefined> {
    const { rows } = await this.pg.query<{ additional_config: string }>(
      'SELECT additional_config FROM connections WHERE integration = $1 AND user_id = $2',
      [integration, userId],
    );
    return rows[0]?.additional_config;
  }

  async delete(integration: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.pg.query('DELETE FROM connections WHERE integration = $1 AND user_id = $2', [
      integration,
      userId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  ): Promise<string[]> {
    return this.pg.transaction(async (client) => {
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
        await client.query(UPDATE_CONFIG, [JSON.stringify(change(current, userId)), now, integration, userId]);
      }
      return [];
    });
  }

  async search(filter: ConnectionFilter): Promise<ConnectionListing[]> {
    // As on SQLite: the indexed columns in SQL, the JSON ones by matchesFilter (shared code, same answers).
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.userId !== undefined) {
      params.push(filter.userId);
      where.push(`user_id = $${params.length}`);
    }
    if (filter.integrations !== undefined) {
      if (filter.integrations.length === 0) return [];
      params.push(filter.integrations);
      where.push(`integration = ANY($${params.length})`);
    }
    where.push(
      ...prefilters(
        filter,
        (value) => {
          params.push(value);
          return `$${params.length}`;
        },
        'ILIKE',
      ),
    );
    const { rows } = await this.pg.query<ListingRow>(
      `SELECT ${LISTING_COLUMNS} FROM connections ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY integration COLLATE "C", user_id COLLATE "C"`,
      params,
    );
    return pageOf(
      rows.map(toListing).filter((listing) => matchesFilter(listing, filter)),
      filter,
    );
  }

  async attributes(integration: string, userId: string): Promise<ConnectionAttributes | undefined> {
    const { rows } = await this.pg.query<AttributeRow>(
      'SELECT tags, end_user FROM connections WHERE integration = $1 AND user_id = $2',
      [integration, userId],
    );
    const row = rows[0];
    return row && toAttributes(row);
  }

  async setAttributes(integration: string, userId: string, change: Partial<ConnectionAttributes>): Promise<boolean> {
    const columns = attributeColumns(change);
    const sets = [...columns.map(({ column }, i) => `${column} = $${i + 1}`), `last_modified = $${columns.length + 1}`];
    const { rowCount } = await this.pg.query(
      `UPDATE connections SET ${sets.join(', ')} WHERE integration = $${columns.length + 2} AND user_id = $${columns.length + 3}`,
      [...columns.map(({ value }) => value), new Date().toISOString(), integration, userId],
    );
    return (rowCount ?? 0) > 0;
  }
}
