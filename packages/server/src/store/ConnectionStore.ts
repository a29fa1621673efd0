import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { NangoConnection, NangoConnectionPublic, StoredCredentials } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import { MIGRATIONS } from './migrations';

/** How long a write waits for another process's lock before failing with `storage_error`. */
const BUSY_TIMEOUT_MS = 5_000;

interface ConnectionRow {
  uuid: string;
  integration: string;
  user_id: string;
  date_created: string;
  last_modified: string;
  credentials: string;
  additional_config: string;
}

type PublicRow = Omit<ConnectionRow, 'credentials'>;

const PUBLIC_COLUMNS = 'uuid, integration, user_id, date_created, last_modified, additional_config';

/**
 * Connections in SQLite. Statements are prepared once; every method is synchronous (better-sqlite3) and
 * turns SQLite failures into WorkerErrors: a duplicate into `connection_exists`, anything else
 * (locked, read-only, disk full) into `storage_error`.
 */
export class ConnectionStore {
  private readonly db: Database.Database;
  private readonly statements;

  /** Opens (creating if needed) the database at `path`, or an in-memory one for ':memory:'. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL'); // readers never block the writer; safe for several worker processes
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, fast commits
    migrate(this.db);
    this.statements = {
      insert: this.db.prepare<[ConnectionRow]>(
        `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config)
         VALUES (@uuid, @integration, @user_id, @date_created, @last_modified, @credentials, @additional_config)`,
      ),
      get: this.db.prepare<[string, string], ConnectionRow>('SELECT * FROM connections WHERE integration = ? AND user_id = ?'),
      updateConfig: this.db.prepare<[string, string, string, string]>(
        'UPDATE connections SET additional_config = ?, last_modified = ? WHERE integration = ? AND user_id = ?',
      ),
      updateCredentials: this.db.prepare<[string, string, string, string]>(
        'UPDATE connections SET credentials = ?, last_modified = ? WHERE integration = ? AND user_id = ?',
      ),
      byUserId: this.db.prepare<[string], PublicRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE user_id = ? ORDER BY integration`,
      ),
      byIntegration: this.db.prepare<[string], PublicRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM connections WHERE integration = ? ORDER BY user_id`,
      ),
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
    const row: ConnectionRow = {
      uuid: randomUUID(),
      integration: input.integration,
      user_id: input.userId,
      date_created: now,
      last_modified: now,
      credentials: JSON.stringify(input.credentials),
      additional_config: JSON.stringify(input.additionalConfig),
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
    return toConnection(row);
  }

  /** The Connection of `userId` on `integration`, credentials included. @throws WorkerError `storage_error` */
  get(integration: string, userId: string): NangoConnection | undefined {
    const row = this.run(() => this.statements.get.get(integration, userId));
    return row && toConnection(row);
  }

  /** Replaces additionalConfig; false when there is no such Connection. @throws WorkerError `storage_error` */
  updateConfig(integration: string, userId: string, additionalConfig: Record<string, unknown>): boolean {
    const json = JSON.stringify(additionalConfig);
    const result = this.run(() => this.statements.updateConfig.run(json, new Date().toISOString(), integration, userId));
    return result.changes > 0;
  }

  /** Replaces the credentials; false when there is no such Connection. @throws WorkerError `storage_error` */
  updateCredentials(integration: string, userId: string, credentials: StoredCredentials): boolean {
    const json = JSON.stringify(credentials);
    const result = this.run(() => this.statements.updateCredentials.run(json, new Date().toISOString(), integration, userId));
    return result.changes > 0;
  }

  /** Every Connection of one user, without credentials. @throws WorkerError `storage_error` */
  listByUserId(userId: string): NangoConnectionPublic[] {
    return this.run(() => this.statements.byUserId.all(userId)).map(toPublic);
  }

  /** Every Connection of one integration, without credentials. @throws WorkerError `storage_error` */
  listByIntegration(integration: string): NangoConnectionPublic[] {
    return this.run(() => this.statements.byIntegration.all(integration)).map(toPublic);
  }

  /** The underlying handle, for seeding in benchmarks and tests. */
  get database(): Database.Database {
    return this.db;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs a statement, translating SQLite errors (see the class comment). */
  private run<T>(operation: () => T, onDuplicate?: () => never): T {
    try {
      return operation();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (onDuplicate && (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')) onDuplicate();
      if (typeof code === 'string' && code.startsWith('SQLITE_')) {
        throw new WorkerError('storage_error', `The database refused the operation (${code}): ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `The database ${db.name} is at schema version ${version}, newer than this worker knows (${MIGRATIONS.length}); run a newer worker.`,
    );
  }
  for (let index = version; index < MIGRATIONS.length; index++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[index] as string);
      db.pragma(`user_version = ${index + 1}`);
    }).immediate();
  }
}

function toPublic(row: PublicRow): NangoConnectionPublic {
  return {
    uuid: row.uuid,
    integration: row.integration,
    userId: row.user_id,
    dateCreated: row.date_created,
    lastModified: row.last_modified,
    additionalConfig: JSON.parse(row.additional_config) as Record<string, unknown>,
  };
}

function toConnection(row: ConnectionRow): NangoConnection {
  return { ...toPublic(row), credentials: JSON.parse(row.credentials) as StoredCredentials };
}
