import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
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
  type ConnectionRow,
  type GetRow,
  type ListingRow,
  type PublicRow,
} from '../connectionRows';
import { ConfigCache } from '../ConfigCache';
import type { ConnectionAttributes, ConnectionFilter, ConnectionListing, ConnectionStore, NewConnection } from '../Store';
import { withStorageErrors } from './sqliteErrors';

/**
 * Connections in SQLite (see ConnectionStore). Statements are prepared once and run synchronously (better-sqlite3);
 * the methods are async only to share the interface with PostgreSQL, and cost one resolved promise each.
 */
export class SqliteConnectionStore implements ConnectionStore {
  private readonly statements;
  /** Large configs lately read, so that get reads them again only once they changed. */
  private readonly configs = new ConfigCache();

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: CredentialCipher,
  ) {
    this.statements = {
      insert: db.prepare<
        [Omit<ConnectionRow, 'auth_status' | 'auth_error' | 'refresh_failed_until' | 'config_version'> & { key_id: string }]
      >(
        `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config, key_id)
         VALUES (@uuid, @integration, @user_id, @date_created, @last_modified, @credentials, @additional_config, @key_id)`,
      ),
      get: db.prepare<[string, number, string, string], GetRow>(
        `SELECT ${getColumns('?', '?')} FROM connections WHERE integration = ? AND user_id = ?`,
      ),
      uuidOf: db.prepare<[string, string], { uuid: string }>(
        'SELECT uuid FROM connections WHERE integration = ? AND user_id = ?',
      ),
      // Every write of the config bumps config_version: that is what tells a cached text from a stale one.
      updateConfig: db.prepare<[string, string, string, string]>(
        `UPDATE connections SET additional_config = ?, last_modified = ?, config_version = config_version + 1
         WHERE integration = ? AND user_id = ?`,
      ),
      // New credentials are a fresh start: whatever made the old ones unusable no longer applies. Every write
      // bumps cred_version, which is what lets a refresh notice it was overtaken (see replaceCredentials).
      updateCredentials: db.prepare<[string, string, string, string]>(
        `UPDATE connections SET credentials = ?, key_id = ?, last_modified = ?, auth_status = 'ok', auth_error = NULL,
         refresh_failed_until = NULL, cred_version = cred_version + 1 WHERE uuid = ?`,
      ),
      replaceIfVersion: db.prepare<[string, string, string, string, number]>(
        `UPDATE connections SET credentials = ?, key_id = ?, last_modified = ?, auth_status = 'ok', auth_error = NULL,
         refresh_failed_until = NULL, cred_version = cred_version + 1 WHERE uuid = ? AND cred_version = ?`,
      ),
      versionOf: db.prepare<[string], { cred_version: number }>('SELECT cred_version FROM connections WHERE uuid = ?'),
      needsReauthorization: db.prepare<[string, string, string, number]>(
        "UPDATE connections SET auth_status = 'needs_reauthorization', auth_error = ?, last_modified = ? WHERE uuid = ? AND cred_version = ?",
      ),
      refreshCooldown: db.prepare<[number | null, string]>('UPDATE connections SET refresh_failed_until = ? WHERE uuid = ?'),
      cooldownOf: db.prepare<[string], { refresh_failed_until: number | null }>(
        'SELECT refresh_failed_until FROM connections WHERE uuid = ?',
      ),
      byUserId: db.prepare<[string], PublicRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE user_id = ? ORDER BY integration`,
      ),
      byIntegration: db.prepare<[string], PublicRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE integration = ? ORDER BY user_id`,
      ),
      all: db.prepare<[], PublicRow>(`SELECT ${PUBLIC_COLUMNS} FROM connections ORDER BY integration, user_id`),
      configOf: db.prepare<[string, string], { additional_config: string }>(
        'SELECT additional_config FROM connections WHERE integration = ? AND user_id = ?',
      ),
      delete: db.prepare<[string, string]>('DELETE FROM connections WHERE integration = ? AND user_id = ?'),
      attributesOf: db.prepare<[string, string], AttributeRow>(
        'SELECT tags, end_user FROM connections WHERE integration = ? AND user_id = ?',
      ),
    };
  }

  async insert(input: NewConnection): Promise<NangoConnection> {
    const now = new Date().toISOString();
    const uuid = randomUUID();
    const sealed = this.cipher.seal(JSON.stringify(input.credentials), uuid);
    const row = {
      uuid,
      integration: input.integration,
      user_id: input.userId,
      date_created: now,
      last_modified: now,
      credentials: sealed.text,
      additional_config: JSON.stringify(input.additionalConfig),
      key_id: sealed.keyId,
    };
    run(
      () => this.statements.insert.run(row),
      () => {
        throw new WorkerError('connection_exists', connectionExistsMessage(input.integration, input.userId));
      },
    );
    return Object.assign(toPublic({ ...row, auth_status: 'ok', auth_error: null }), { credentials: input.credentials });
  }

  async get(integration: string, userId: string): Promise<NangoConnection | undefined> {
    const held = this.configs.held(integration, userId);
    const row = run(() => this.statements.get.get(held?.uuid ?? '', held?.version ?? -1, integration, userId));
    if (!row) return undefined;
    const credentials = JSON.parse(this.cipher.open(row.credentials, row.uuid)) as StoredCredentials;
    const additional_config = configOfRow(row, held, this.configs);
    // Object.assign, not a spread: a spread would read (and so parse) the config, which most callers never need.
    return Object.assign(toPublic({ ...row, additional_config }), { credentials });
  }

  async updateConfig(integration: string, userId: string, additionalConfig: Record<string, unknown>): Promise<boolean> {
    const json = JSON.stringify(additionalConfig);
    return run(() => this.statements.updateConfig.run(json, new Date().toISOString(), integration, userId)).changes > 0;
  }

  async updateCredentials(integration: string, userId: string, credentials: StoredCredentials): Promise<boolean> {
    return run(
      () =>
        this.db
          .transaction(() => {
            const found = this.statements.uuidOf.get(integration, userId);
            if (!found) return false;
            const sealed = this.cipher.seal(JSON.stringify(credentials), found.uuid); // bound to its row: needs the uuid
            this.statements.updateCredentials.run(sealed.text, sealed.keyId, new Date().toISOString(), found.uuid);
            return true;
          })
          .immediate(), // a write transaction from the start: a read-then-upgrade can fail busy without waiting
    );
  }

  async credentialsVersion(uuid: string): Promise<number | undefined> {
    return run(() => this.statements.versionOf.get(uuid))?.cred_version;
  }

  async replaceCredentials(uuid: string, credentials: StoredCredentials, expectedVersion: number): Promise<boolean> {
    const sealed = this.cipher.seal(JSON.stringify(credentials), uuid);
    const now = new Date().toISOString();
    return run(() => this.statements.replaceIfVersion.run(sealed.text, sealed.keyId, now, uuid, expectedVersion)).changes > 0;
  }

  async markNeedsReauthorization(uuid: string, reason: string, expectedVersion: number): Promise<boolean> {
    const now = new Date().toISOString();
    return run(() => this.statements.needsReauthorization.run(reason, now, uuid, expectedVersion)).changes > 0;
  }

  async setRefreshCooldown(uuid: string, until: number | undefined): Promise<void> {
    run(() => this.statements.refreshCooldown.run(until ?? null, uuid));
  }

  async refreshCooldown(uuid: string): Promise<number | undefined> {
    return run(() => this.statements.cooldownOf.get(uuid))?.refresh_failed_until ?? undefined;
  }

  async listByUserId(userId: string): Promise<NangoConnectionPublic[]> {
    return run(() => this.statements.byUserId.all(userId)).map(toPublic);
  }

  async listByIntegration(integration: string): Promise<NangoConnectionPublic[]> {
    return run(() => this.statements.byIntegration.all(integration)).map(toPublic);
  }

  async listAll(): Promise<NangoConnectionPublic[]> {
    return run(() => this.statements.all.all()).map(toPublic);
  }

  async getConfig(integration: string, userId: string): Promise<Record<string, unknown> | undefined> {
    const row = run(() => this.statements.configOf.get(integration, userId));
    return row && (JSON.parse(row.additional_config) as Record<string, unknown>);
  }

  async configJson(integration: string, userId: string): Promise<string | undefined> {
    return run(() => this.statements.configOf.get(integration, userId))?.additional_config;
  }

  async delete(integration: string, userId: string): Promise<boolean> {
    return run(() => this.statements.delete.run(integration, userId)).changes > 0;
  }

  async updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  ): Promise<string[]> {
    // One write transaction, taken at once, so a merge cannot interleave with another process's.
    const changeAll = this.db.transaction((): string[] => {
      const found = userIds.map((userId) => ({ userId, row: this.statements.configOf.get(integration, userId) }));
      const missing = found.filter(({ row }) => !row).map(({ userId }) => userId);
      if (missing.length > 0) return missing;
      const now = new Date().toISOString();
      for (const { userId, row } of found) {
        const current = JSON.parse(row?.additional_config ?? '{}') as Record<string, unknown>;
        this.statements.updateConfig.run(JSON.stringify(change(current, userId)), now, integration, userId);
      }
      return [];
    });
    return run(() => changeAll.immediate());
  }

  async search(filter: ConnectionFilter): Promise<ConnectionListing[]> {
    // The indexed columns narrow the rows in SQL; the JSON ones (tags, end user) are matched here, the same code
    // as on PostgreSQL, so both stores answer alike.
    const where: string[] = [];
    const params: string[] = [];
    if (filter.userId !== undefined) {
      where.push('user_id = ?');
      params.push(filter.userId);
    }
    if (filter.integrations !== undefined) {
      if (filter.integrations.length === 0) return [];
      where.push(`integration IN (${filter.integrations.map(() => '?').join(', ')})`);
      params.push(...filter.integrations);
    }
    where.push(
      ...prefilters(
        filter,
        (value) => {
          params.push(value);
          return '?';
        },
        'LIKE',
      ),
    );
    const sql = `SELECT ${LISTING_COLUMNS} FROM connections ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY integration, user_id`;
    const rows = run(() => this.db.prepare<string[], ListingRow>(sql).all(...params));
    return pageOf(
      rows.map(toListing).filter((listing) => matchesFilter(listing, filter)),
      filter,
    );
  }

  async attributes(integration: string, userId: string): Promise<ConnectionAttributes | undefined> {
    const row = run(() => this.statements.attributesOf.get(integration, userId));
    return row && toAttributes(row);
  }

  async setAttributes(integration: string, userId: string, change: Partial<ConnectionAttributes>): Promise<boolean> {
    const columns = attributeColumns(change);
    const sets = [...columns.map(({ column }) => `${column} = ?`), 'last_modified = ?'].join(', ');
    const values = [...columns.map(({ value }) => value), new Date().toISOString(), integration, userId];
    return (
      run(() => this.db.prepare(`UPDATE connections SET ${sets} WHERE integration = ? AND user_id = ?`).run(...values)).changes >
      0
    );
  }
}

/** Runs a statement, turning a duplicate into `onDuplicate()` and other SQLite errors into `storage_error`. */
function run<T>(operation: () => T, onDuplicate?: () => never): T {
  return withStorageErrors(() => {
    try {
      return operation();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (onDuplicate && (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')) onDuplicate();
      throw error;
    }
  });
}
