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
import { RecentReads } from '../RecentReads';
import type { ConnectionAttributes } from '../ConnectionAttributes';
import type { ConnectionFilter, ConnectionListing, ConnectionStore, NewConnection } from '../Store';
import { jsonKeyUsable, type SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/** The values of the `get` statement: the held config's uuid and version ('' and -1 for none), integration, user id. */
export type GetValues = [heldUuid: string, heldVersion: number, integration: string, userId: string];

/** The statements of the connections table, by name: one text for both databases, `?` placeholders. */
export function connectionSql(d: SqlDialect) {
  const byUser = 'WHERE integration = ? AND user_id = ?';
  // New credentials are a fresh start: whatever made the old ones unusable no longer applies. Every write bumps
  // cred_version, which is what lets a refresh notice it was overtaken (see replaceCredentials), and has the
  // background check plan them anew at its next look (see CredentialCheckStore).
  const freshCredentials = `UPDATE connections SET credentials = ?, key_id = ?, last_modified = ?, auth_status = 'ok',
    auth_error = NULL, refresh_failed_until = NULL, cred_version = cred_version + 1, checked_at = NULL,
    next_check_at = 0 WHERE uuid = ?`;
  return {
    insert: `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config, key_id,
      registration_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    registrationKeyOf: `SELECT registration_key FROM connections ${byUser}`,
    /** The held config's uuid and version first: the config is left out (NULL) when the row still has both. */
    get: `SELECT ${getColumns('?', '?')} FROM connections ${byUser}`,
    /** Read-then-write: the row is locked on PostgreSQL. */
    uuidForUpdate: `SELECT uuid FROM connections ${byUser}${d.forUpdate}`,
    // Every write of a config bumps config_version: that is what tells a cached text from a stale one (ConfigCache).
    updateConfig: `UPDATE connections SET additional_config = ?, last_modified = ?, config_version = config_version + 1 ${byUser}`,
    updateCredentials: freshCredentials,
    replaceIfVersion: `${freshCredentials} AND cred_version = ?`,
    versionOf: 'SELECT cred_version FROM connections WHERE uuid = ?',
    // The background check stops too (next_check_at NULL): nothing but new credentials can help.
    needsReauthorization: `UPDATE connections SET auth_status = 'needs_reauthorization', auth_error = ?, last_modified = ?,
      next_check_at = NULL WHERE uuid = ? AND cred_version = ?`,
    setCooldown: 'UPDATE connections SET refresh_failed_until = ? WHERE uuid = ?',
    cooldownOf: 'SELECT refresh_failed_until FROM connections WHERE uuid = ?',
    byUserId: `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE user_id = ? ORDER BY integration${d.byteOrder}`,
    byIntegration: `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE integration = ? ORDER BY user_id${d.byteOrder}`,
    all: `SELECT ${PUBLIC_COLUMNS} FROM connections ORDER BY integration${d.byteOrder}, user_id${d.byteOrder}`,
    configOf: `SELECT additional_config FROM connections ${byUser}`,
    byConfigValue: `SELECT user_id FROM connections WHERE integration = ? AND ${d.jsonText('additional_config')} = ?
      ORDER BY user_id${d.byteOrder} LIMIT ?`,
    delete: `DELETE FROM connections ${byUser}`,
    attributesOf: `SELECT tags, end_user FROM connections ${byUser}`,
    /** A search: the conditions built per call (see search). */
    search: (where: readonly string[], paged: boolean) =>
      `SELECT ${LISTING_COLUMNS} FROM connections ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY integration${d.byteOrder}, user_id${d.byteOrder}${paged ? ' LIMIT ? OFFSET ?' : ''}`,
    /** A change of the attribute columns given. */
    setAttributes: (columns: readonly string[]) =>
      `UPDATE connections SET ${[...columns, 'last_modified'].map((column) => `${column} = ?`).join(', ')} ${byUser}`,
  };
}

/**
 * Connections in SQL both databases run (see ConnectionStore); credentials encrypted with the cipher, bound to each
 * row's uuid. One registration per (integration, user id) is the table's unique key; refreshed credentials are
 * fenced by a conditional update on their version. The two writes that read first are each database's own (see
 * SqliteConnectionStore and PgConnectionStore): they differ in how they keep other writers out.
 */
export abstract class SqlConnectionStore implements ConnectionStore {
  protected readonly sql: ReturnType<typeof connectionSql>;
  /** Large configs lately read, so that get reads them again only once they changed. */
  private readonly configs = new ConfigCache();
  /** Connections lately read for getRecent; every write through this object drops them (see RecentReads). */
  private readonly recent = new RecentReads<NangoConnection | undefined>();

  constructor(
    protected readonly db: SqlRunner,
    protected readonly dialect: SqlDialect,
    protected readonly cipher: CredentialCipher,
  ) {
    this.sql = connectionSql(dialect);
  }

  abstract updateCredentials(integration: string, userId: string, credentials: StoredCredentials): Promise<boolean>;

  abstract updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  ): Promise<string[]>;

  async insert(input: NewConnection): Promise<NangoConnection> {
    return this.writing(async () => {
      const now = new Date().toISOString();
      const uuid = randomUUID();
      const sealed = this.cipher.seal(JSON.stringify(input.credentials), uuid);
      const additionalConfig = JSON.stringify(input.additionalConfig);
      try {
        await this.db.run(this.sql.insert, [
          uuid,
          input.integration,
          input.userId,
          now,
          now,
          sealed.text,
          additionalConfig,
          sealed.keyId,
          input.registrationKey ?? null,
        ]);
      } catch (error) {
        if (this.dialect.isUniqueViolation(error)) {
          throw new WorkerError('connection_exists', connectionExistsMessage(input.integration, input.userId));
        }
        throw error;
      }
      const row: PublicRow = {
        uuid,
        integration: input.integration,
        user_id: input.userId,
        date_created: now,
        last_modified: now,
        additional_config: additionalConfig,
        auth_status: 'ok',
        auth_error: null,
      };
      return Object.assign(toPublic(row), { credentials: input.credentials });
    });
  }

  async registrationKeyOf(integration: string, userId: string): Promise<string | undefined> {
    const row = await this.db.get<{ registration_key: string | null }>(this.sql.registrationKeyOf, [integration, userId]);
    return row?.registration_key ?? undefined;
  }

  async get(integration: string, userId: string): Promise<NangoConnection | undefined> {
    const held = this.configs.held(integration, userId);
    const row = await this.readRow([held?.uuid ?? '', held?.version ?? -1, integration, userId]);
    if (!row) return undefined;
    const credentials = JSON.parse(this.cipher.open(row.credentials, row.uuid)) as StoredCredentials;
    const additional_config = configOfRow(row, held, this.configs);
    // Object.assign, not a spread: a spread would read (and so parse) the config, which most callers never need.
    return Object.assign(toPublic({ ...row, additional_config }), { credentials });
  }

  /**
   * The Connection as `get` reads it, or a copy read less than `maxAgeMs` ago by this object when nothing was written
   * through it since: a write by another process is seen at most `maxAgeMs` late. A missing Connection is never
   * kept (one just made elsewhere is found at once). The object is shared between callers: read it, never change it.
   */
  async getRecent(integration: string, userId: string, maxAgeMs: number): Promise<NangoConnection | undefined> {
    if (maxAgeMs <= 0) return this.get(integration, userId);
    return this.recent.through(recentKey(integration, userId), maxAgeMs, () => this.get(integration, userId));
  }

  /** Runs a write; whatever it did, the copies getRecent keeps are stale after it (this process sees its own writes). */
  protected async writing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.recent.wrote();
    }
  }

  async updateConfig(integration: string, userId: string, additionalConfig: Record<string, unknown>): Promise<boolean> {
    return this.writing(async () => {
      const json = JSON.stringify(additionalConfig);
      return (await this.db.run(this.sql.updateConfig, [json, new Date().toISOString(), integration, userId])) > 0;
    });
  }

  async credentialsVersion(uuid: string): Promise<number | undefined> {
    return (await this.db.get<{ cred_version: number }>(this.sql.versionOf, [uuid]))?.cred_version;
  }

  async replaceCredentials(uuid: string, credentials: StoredCredentials, expectedVersion: number): Promise<boolean> {
    return this.writing(async () => {
      const sealed = this.cipher.seal(JSON.stringify(credentials), uuid);
      const params = [sealed.text, sealed.keyId, new Date().toISOString(), uuid, expectedVersion];
      return (await this.db.run(this.sql.replaceIfVersion, params)) > 0;
    });
  }

  async markNeedsReauthorization(uuid: string, reason: string, expectedVersion: number): Promise<boolean> {
    return this.writing(async () => {
      const params = [reason, new Date().toISOString(), uuid, expectedVersion];
      return (await this.db.run(this.sql.needsReauthorization, params)) > 0;
    });
  }

  async setRefreshCooldown(uuid: string, until: number | undefined): Promise<void> {
    return this.writing(async () => {
      await this.db.run(this.sql.setCooldown, [until ?? null, uuid]);
    });
  }

  async refreshCooldown(uuid: string): Promise<number | undefined> {
    return (
      (await this.db.get<{ refresh_failed_until: number | null }>(this.sql.cooldownOf, [uuid]))?.refresh_failed_until ?? undefined
    );
  }

  async listByUserId(userId: string): Promise<NangoConnectionPublic[]> {
    return (await this.readByUserId(userId)).map(toPublic);
  }

  /** The row `get` reads: the values of the `get` statement (held config uuid and version, integration, user id). */
  protected readRow(values: GetValues): Promise<GetRow | undefined> {
    return this.db.get<GetRow>(this.sql.get, values);
  }

  /** The rows `listByUserId` reads. */
  protected readByUserId(userId: string): Promise<PublicRow[]> {
    return this.db.all<PublicRow>(this.sql.byUserId, [userId]);
  }

  async listByIntegration(integration: string): Promise<NangoConnectionPublic[]> {
    return (await this.db.all<PublicRow>(this.sql.byIntegration, [integration])).map(toPublic);
  }

  async listAll(): Promise<NangoConnectionPublic[]> {
    return (await this.db.all<PublicRow>(this.sql.all)).map(toPublic);
  }

  async getConfig(integration: string, userId: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db.get<{ additional_config: string }>(this.sql.configOf, [integration, userId]);
    return row && (JSON.parse(row.additional_config) as Record<string, unknown>);
  }

  async configJson(integration: string, userId: string): Promise<string | undefined> {
    return (await this.db.get<{ additional_config: string }>(this.sql.configOf, [integration, userId]))?.additional_config;
  }

  async delete(integration: string, userId: string): Promise<boolean> {
    return this.writing(async () => {
      return (await this.db.run(this.sql.delete, [integration, userId])) > 0;
    });
  }

  async userIdsByConfigValue(integration: string, key: string, value: string, limit: number): Promise<string[]> {
    if (!jsonKeyUsable(key)) return [];
    const params = [integration, this.dialect.jsonKeyParam(key), value, limit];
    return (await this.db.all<{ user_id: string }>(this.sql.byConfigValue, params)).map((row) => row.user_id);
  }

  async search(filter: ConnectionFilter): Promise<ConnectionListing[]> {
    // The indexed columns narrow the rows in SQL; the JSON ones (tags, end user) are matched by matchesFilter, the
    // same code on both databases, so both answer alike.
    const where: string[] = [];
    const params: string[] = [];
    if (filter.userId !== undefined) {
      where.push('user_id = ?');
      params.push(filter.userId);
    }
    if (filter.authorization !== undefined) {
      where.push('auth_status = ?');
      params.push(filter.authorization);
    }
    if (filter.integrations !== undefined) {
      if (filter.integrations.length === 0) return [];
      where.push(`integration IN (${filter.integrations.map(() => '?').join(', ')})`);
      params.push(...filter.integrations);
    }
    const param = (value: string): string => {
      params.push(value);
      return '?';
    };
    where.push(...prefilters(filter, param, this.dialect.likeAnyCase));
    // When SQL decides every filter exactly, the page is cut there too: a list of 10,000 Connections reads its 50
    // rows, not all of them. Otherwise (tags, end user, search: matched on JSON by matchesFilter) every candidate is
    // read and the page cut after the match.
    if (filter.limit !== undefined && decidedInSql(filter)) {
      params.push(String(filter.limit), String(filter.offset ?? 0));
      const rows = await this.db.all<ListingRow>(this.sql.search(where, true), params);
      return rows.map(toListing);
    }
    const rows = await this.db.all<ListingRow>(this.sql.search(where, false), params);
    return pageOf(
      rows.map(toListing).filter((listing) => matchesFilter(listing, filter)),
      filter,
    );
  }

  async attributes(integration: string, userId: string): Promise<ConnectionAttributes | undefined> {
    const row = await this.db.get<AttributeRow>(this.sql.attributesOf, [integration, userId]);
    return row && toAttributes(row);
  }

  async setAttributes(integration: string, userId: string, change: Partial<ConnectionAttributes>): Promise<boolean> {
    return this.writing(async () => {
      const columns = attributeColumns(change);
      const sql = this.sql.setAttributes(columns.map(({ column }) => column));
      const values = [...columns.map(({ value }) => value), new Date().toISOString(), integration, userId];
      return (await this.db.run(sql, values)) > 0;
    });
  }
}

/** getRecent's key: the integration's length first, so that no two pairs of ids make the same key. */
function recentKey(integration: string, userId: string): string {
  return `${integration.length}:${integration}${userId}`;
}

/** Whether SQL alone decides `filter` (ids, integrations, authorization): no JSON field to match after the query. */
function decidedInSql(filter: ConnectionFilter): boolean {
  return (
    filter.tags === undefined &&
    filter.endUserId === undefined &&
    filter.endUserOrganizationId === undefined &&
    (filter.search === undefined || filter.search === '')
  );
}
