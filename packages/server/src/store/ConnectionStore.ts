import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { NangoConnection, NangoConnectionPublic, StoredCredentials } from '@nangohq/protocol';
import type { CredentialCipher } from '../encryption/CredentialCipher';
import { WorkerError } from '../errors';
import { MIGRATIONS } from './migrations';
import { withStorageErrors } from './storageErrors';

/** How long a write waits for another process's lock before failing with `storage_error`. */
export const BUSY_TIMEOUT_MS = 5_000;

interface ConnectionRow {
  uuid: string;
  integration: string;
  user_id: string;
  date_created: string;
  last_modified: string;
  credentials: string;
  additional_config: string;
  auth_status: 'ok' | 'needs_reauthorization';
  auth_error: string | null;
  refresh_failed_until: number | null;
}

type PublicRow = Omit<ConnectionRow, 'credentials' | 'refresh_failed_until'>;

const PUBLIC_COLUMNS = 'uuid, integration, user_id, date_created, last_modified, additional_config, auth_status, auth_error';

/**
 * Connections in SQLite, credentials encrypted (see CredentialCipher). Statements are prepared once; every method
 * is synchronous (better-sqlite3) and turns SQLite failures into WorkerErrors: a duplicate into
 * `connection_exists`, anything else (locked, read-only, disk full) into `storage_error`.
 */
export class ConnectionStore {
  private readonly db: Database.Database;
  private readonly statements;

  /** Opens (creating if needed) the database at `path`, or an in-memory one for ':memory:'. */
  constructor(
    path: string,
    private readonly cipher: CredentialCipher,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // The busy timeout is set as the file opens: switching to WAL, the very first statement, needs an exclusive lock
    // and must wait for a worker starting beside this one rather than fail with "database is locked".
    this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL'); // readers never block the writer; safe for several worker processes
    this.db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, fast commits
    this.db.pragma('secure_delete = ON'); // freed pages are zeroed: replaced credentials leave no trace in the file
    migrate(this.db);
    this.statements = {
      insert: this.db.prepare<[Omit<ConnectionRow, 'auth_status' | 'auth_error' | 'refresh_failed_until'> & { key_id: string }]>(
        `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config, key_id)
         VALUES (@uuid, @integration, @user_id, @date_created, @last_modified, @credentials, @additional_config, @key_id)`,
      ),
      get: this.db.prepare<[string, string], ConnectionRow>('SELECT * FROM connections WHERE integration = ? AND user_id = ?'),
      uuidOf: this.db.prepare<[string, string], { uuid: string }>(
        'SELECT uuid FROM connections WHERE integration = ? AND user_id = ?',
      ),
      updateConfig: this.db.prepare<[string, string, string, string]>(
        'UPDATE connections SET additional_config = ?, last_modified = ? WHERE integration = ? AND user_id = ?',
      ),
      // New credentials are a fresh start: whatever made the old ones unusable no longer applies.
      // New credentials are a fresh start: whatever made the old ones unusable no longer applies. Every write
      // bumps cred_version, which is what lets a refresh notice it was overtaken (see replaceCredentials).
      updateCredentials: this.db.prepare<[string, string, string, string]>(
        `UPDATE connections SET credentials = ?, key_id = ?, last_modified = ?, auth_status = 'ok', auth_error = NULL,
         refresh_failed_until = NULL, cred_version = cred_version + 1 WHERE uuid = ?`,
      ),
      replaceIfVersion: this.db.prepare<[string, string, string, string, number]>(
        `UPDATE connections SET credentials = ?, key_id = ?, last_modified = ?, auth_status = 'ok', auth_error = NULL,
         refresh_failed_until = NULL, cred_version = cred_version + 1 WHERE uuid = ? AND cred_version = ?`,
      ),
      versionOf: this.db.prepare<[string], { cred_version: number }>('SELECT cred_version FROM connections WHERE uuid = ?'),
      needsReauthorization: this.db.prepare<[string, string, string, number]>(
        "UPDATE connections SET auth_status = 'needs_reauthorization', auth_error = ?, last_modified = ? WHERE uuid = ? AND cred_version = ?",
      ),
      refreshCooldown: this.db.prepare<[number, string]>('UPDATE connections SET refresh_failed_until = ? WHERE uuid = ?'),
      cooldownOf: this.db.prepare<[string], { refresh_failed_until: number | null }>(
        'SELECT refresh_failed_until FROM connections WHERE uuid = ?',
      ),
      byUserId: this.db.prepare<[string], PublicRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE user_id = ? ORDER BY integration`,
      ),
      byIntegration: this.db.prepare<[string], PublicRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE integration = ? ORDER BY user_id`,
      ),
      all: this.db.prepare<[], PublicRow>(`SELECT ${PUBLIC_COLUMNS} FROM connections ORDER BY integration, user_id`),
      configOf: this.db.prepare<[string, string], { additional_config: string }>(
        'SELECT additional_config FROM connections WHERE integration = ? AND user_id = ?',
      ),
      delete: this.db.prepare<[string, string]>('DELETE FROM connections WHERE integration = ? AND user_id = ?'),
    };
  }

  /**
   * Stores a new Connection and returns it.
   * @throws WorkerError `connection_exists`, `storage_error`
   */
  insert(input: {
    integration: string;
    userId: string;
    credentials: StoredCredentials;
    additionalConfig: Record<string, unknown>;
  }): NangoConnection {
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
    this.run(
      () => this.statements.insert.run(row),
      () => {
        throw new WorkerError(
          'connection_exists',
          `A Connection for user '${input.userId}' on integration '${input.integration}' already exists; use updateConnectionCredentials or updateConnectionConfig to change it.`,
        );
      },
    );
    return { ...toPublic({ ...row, auth_status: 'ok', auth_error: null }), credentials: input.credentials };
  }

  /** The Connection of `userId` on `integration`, credentials decrypted. @throws WorkerError `storage_error` */
  get(integration: string, userId: string): NangoConnection | undefined {
    const row = this.run(() => this.statements.get.get(integration, userId));
    return row && { ...toPublic(row), credentials: JSON.parse(this.cipher.open(row.credentials, row.uuid)) as StoredCredentials };
  }

  /** Replaces additionalConfig; false when there is no such Connection. @throws WorkerError `storage_error` */
  updateConfig(integration: string, userId: string, additionalConfig: Record<string, unknown>): boolean {
    const json = JSON.stringify(additionalConfig);
    const result = this.run(() => this.statements.updateConfig.run(json, new Date().toISOString(), integration, userId));
    return result.changes > 0;
  }

  /** Replaces the credentials; false when there is no such Connection. @throws WorkerError `storage_error` */
  updateCredentials(integration: string, userId: string, credentials: StoredCredentials): boolean {
    return this.run(
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

  /** The version of a Connection's credentials, bumped by every write of them; undefined when it is gone. */
  credentialsVersion(uuid: string): number | undefined {
    return this.run(() => this.statements.versionOf.get(uuid))?.cred_version;
  }

  /**
   * Stores refreshed credentials of the Connection `uuid` if its credentials are still at `expectedVersion` (read
   * under the refresh lock), which also clears a needs-reauthorization mark and a cool-down. False when they were
   * written meanwhile (by the app, or by a refresh that took over the lock): the caller re-reads them instead.
   * @throws WorkerError `storage_error`
   */
  replaceCredentials(uuid: string, credentials: StoredCredentials, expectedVersion: number): boolean {
    const sealed = this.cipher.seal(JSON.stringify(credentials), uuid);
    const now = new Date().toISOString();
    return (
      this.run(() => this.statements.replaceIfVersion.run(sealed.text, sealed.keyId, now, uuid, expectedVersion)).changes > 0
    );
  }

  /**
   * Marks a Connection whose refresh token the provider rejected, with the provider's reason, unless its credentials
   * changed since `expectedVersion` (new ones deserve their own chance). False when they did.
   */
  markNeedsReauthorization(uuid: string, reason: string, expectedVersion: number): boolean {
    return (
      this.run(() => this.statements.needsReauthorization.run(reason, new Date().toISOString(), uuid, expectedVersion)).changes >
      0
    );
  }

  /** Sets (or clears, with undefined) the time before which no new refresh is tried after a transient failure. */
  setRefreshCooldown(uuid: string, until: number | undefined): void {
    this.run(() => this.statements.refreshCooldown.run(until ?? (null as unknown as number), uuid));
  }

  /** Epoch ms until which refreshes of `uuid` are paused, if any. */
  refreshCooldown(uuid: string): number | undefined {
    return this.run(() => this.statements.cooldownOf.get(uuid))?.refresh_failed_until ?? undefined;
  }

  /** Every Connection of one user, without credentials. @throws WorkerError `storage_error` */
  listByUserId(userId: string): NangoConnectionPublic[] {
    return this.run(() => this.statements.byUserId.all(userId)).map(toPublic);
  }

  /** Every Connection of one integration, without credentials. @throws WorkerError `storage_error` */
  listByIntegration(integration: string): NangoConnectionPublic[] {
    return this.run(() => this.statements.byIntegration.all(integration)).map(toPublic);
  }

  /** Every Connection, without credentials, by integration then user id. @throws WorkerError `storage_error` */
  listAll(): NangoConnectionPublic[] {
    return this.run(() => this.statements.all.all()).map(toPublic);
  }

  /** The additionalConfig of one Connection, read without decrypting its credentials. @throws WorkerError `storage_error` */
  getConfig(integration: string, userId: string): Record<string, unknown> | undefined {
    const row = this.run(() => this.statements.configOf.get(integration, userId));
    return row && (JSON.parse(row.additional_config) as Record<string, unknown>);
  }

  /** Deletes a Connection; false when there was none. @throws WorkerError `storage_error` */
  delete(integration: string, userId: string): boolean {
    return this.run(() => this.statements.delete.run(integration, userId)).changes > 0;
  }

  /**
   * Sets the additionalConfig of several Connections of one integration to `change(current)`, all or none: in one
   * write transaction (taken at once, so a merge cannot interleave with another process's), and only if every user
   * id has a Connection. Returns the user ids without one, [] when all were changed.
   * @throws WorkerError `storage_error`
   */
  updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>) => Record<string, unknown>,
  ): string[] {
    const changeAll = this.db.transaction((): string[] => {
      const found = userIds.map((userId) => ({ userId, row: this.statements.configOf.get(integration, userId) }));
      const missing = found.filter(({ row }) => !row).map(({ userId }) => userId);
      if (missing.length > 0) return missing;
      const now = new Date().toISOString();
      for (const { userId, row } of found) {
        const current = JSON.parse(row?.additional_config ?? '{}') as Record<string, unknown>;
        this.statements.updateConfig.run(JSON.stringify(change(current)), now, integration, userId);
      }
      return [];
    });
    return this.run(() => changeAll.immediate());
  }

  /** The underlying handle, for the stores that share the file, key maintenance, and seeding in benchmarks. */
  get database(): Database.Database {
    return this.db;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs a statement, translating SQLite errors (see the class comment). */
  private run<T>(operation: () => T, onDuplicate?: () => never): T {
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
}

/**
 * Brings the schema up to date in one immediate transaction, reading the version inside it: two workers starting
 * together on a new file must not both run the same migration.
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `The database ${db.name} is at schema version ${version}, newer than this worker knows (${MIGRATIONS.length}); run a newer worker.`,
      );
    }
    for (let index = version; index < MIGRATIONS.length; index++) db.exec(MIGRATIONS[index] as string);
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function toPublic(row: PublicRow): NangoConnectionPublic {
  return {
    uuid: row.uuid,
    integration: row.integration,
    userId: row.user_id,
    dateCreated: row.date_created,
    lastModified: row.last_modified,
    additionalConfig: JSON.parse(row.additional_config) as Record<string, unknown>,
    authorization: row.auth_status ?? 'ok',
    ...(row.auth_error ? { authorizationError: row.auth_error } : {}),
  };
}
