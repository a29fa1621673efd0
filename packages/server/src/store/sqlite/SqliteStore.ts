import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { Store } from '../Store';
import { SQLITE } from '../sql/dialect';
import { SqlAsyncActionStore } from '../sql/SqlAsyncActionStore';
import { SqlConnectSessionStore } from '../sql/SqlConnectSessionStore';
import { SqlDashboardSessionStore } from '../sql/SqlDashboardSessionStore';
import { SqlDeliveryCounter } from '../sql/SqlDeliveryCounter';
import type { IdempotencyStoreOptions } from '../sql/SqlIdempotencyStore';
import { SqlOAuthSessionStore } from '../sql/SqlOAuthSessionStore';
import { SqlMcpClientStore } from '../sql/SqlMcpClientStore';
import { SqlFunctionDeploymentStore } from '../sql/SqlFunctionDeploymentStore';
import { SqlRateLimitStore } from '../sql/SqlRateLimitStore';
import { SqlApiRateCounts } from '../sql/SqlApiRateCounts';
import { SqlCredentialCheckStore } from '../sql/SqlCredentialCheckStore';
import { SqlRefreshLocks } from '../sql/SqlRefreshLocks';
import { SqlSyncScheduleStore } from '../sql/SqlSyncScheduleStore';
import { SqliteConnectionStore } from './SqliteConnectionStore';
import { SqliteIdempotencyStore } from './SqliteIdempotencyStore';
import { SqliteIntegrationStore } from './SqliteIntegrationStore';
import { SqliteKeyRecords } from './SqliteKeyRecords';
import { SqliteRecordStore } from './SqliteRecordStore';
import { SqliteRowCopier } from './SqliteRowCopier';
import { SqliteRunner } from './SqliteRunner';
import { SqliteWebhookStore } from './SqliteWebhookStore';
import { SqliteOperationStore } from './SqliteOperationStore';
import { SQLITE_MIGRATIONS } from './sqliteMigrations';

/** How long a write waits for another process's lock before failing with `storage_error`. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * The embedded store: one SQLite file (better-sqlite3), shared by the worker processes of one machine. WAL mode lets
 * readers run beside the one writer; write transactions that read first are taken as immediate, so they wait for
 * the lock instead of failing.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly connections: SqliteConnectionStore;
  readonly idempotency: SqliteIdempotencyStore;
  readonly refreshLocks: SqlRefreshLocks;
  readonly credentialChecks: SqlCredentialCheckStore;
  readonly deliveries: SqlDeliveryCounter;
  readonly keys: SqliteKeyRecords;
  readonly rows: SqliteRowCopier;
  readonly integrations: SqliteIntegrationStore;
  readonly oauthSessions: SqlOAuthSessionStore;
  readonly mcpClients: SqlMcpClientStore;
  readonly functionDeployments: SqlFunctionDeploymentStore;
  readonly connectSessions: SqlConnectSessionStore;
  readonly dashboardSessions: SqlDashboardSessionStore;
  readonly rateLimits: SqlRateLimitStore;
  readonly apiRateCounts: SqlApiRateCounts;
  readonly asyncActions: SqlAsyncActionStore;
  readonly webhooks: SqliteWebhookStore;
  readonly records: SqliteRecordStore;
  readonly syncSchedules: SqlSyncScheduleStore;
  readonly operations: SqliteOperationStore;
  /** The underlying handle, for tests and for seeding in benchmarks. */
  readonly database: Database.Database;

  /**
   * Opens (creating if needed) the database at `path`, or an in-memory one for ':memory:', and brings its schema up
   * to date. Several processes may do so at once (see openStore, which serialises their start).
   */
  constructor(
    readonly location: string,
    cipher: CredentialCipher,
    options: { idempotency?: IdempotencyStoreOptions } = {},
  ) {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    // The busy timeout is set as the file opens: switching to WAL, the very first statement, needs an exclusive lock
    // and must wait for a worker starting beside this one rather than fail with "database is locked".
    const db = new Database(location, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL'); // readers never block the writer; safe for several worker processes
      db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, fast commits
      db.pragma('secure_delete = ON'); // freed pages are zeroed: replaced credentials leave no trace in the file
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.database = db;
    // The parts whose SQL is the same on PostgreSQL are the shared classes themselves, on this handle's runner (one
    // statement cache for the whole store); the others add what SQLite does its own way.
    const runner = SqliteRunner.of(db);
    this.connections = new SqliteConnectionStore(db, cipher);
    this.idempotency = new SqliteIdempotencyStore(db, cipher, options.idempotency);
    this.refreshLocks = new SqlRefreshLocks(runner);
    this.credentialChecks = new SqlCredentialCheckStore(runner, SQLITE);
    this.deliveries = new SqlDeliveryCounter(runner);
    this.keys = new SqliteKeyRecords(db);
    this.rows = new SqliteRowCopier(db);
    this.integrations = new SqliteIntegrationStore(db, cipher);
    this.oauthSessions = new SqlOAuthSessionStore(runner, cipher);
    this.mcpClients = new SqlMcpClientStore(runner, cipher);
    this.functionDeployments = new SqlFunctionDeploymentStore(runner);
    this.connectSessions = new SqlConnectSessionStore(runner);
    this.dashboardSessions = new SqlDashboardSessionStore(runner);
    this.rateLimits = new SqlRateLimitStore(runner);
    this.apiRateCounts = new SqlApiRateCounts(runner);
    this.asyncActions = new SqlAsyncActionStore(runner, SQLITE, cipher);
    this.webhooks = new SqliteWebhookStore(db, cipher);
    this.records = new SqliteRecordStore(db, cipher);
    this.syncSchedules = new SqlSyncScheduleStore(runner, SQLITE);
    const file = location === ':memory:' ? undefined : location;
    this.operations = new SqliteOperationStore(db, { file, busyTimeoutMs: BUSY_TIMEOUT_MS });
  }

  async ping(): Promise<void> {
    this.database.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.operations.close(); // its writer thread, after the writes in flight
    if (this.database.open) this.database.close();
  }
}

/**
 * Brings the schema up to date in one immediate transaction, reading the version (`PRAGMA user_version`) inside it:
 * two workers starting together on a new file must not both run the same migration.
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SQLITE_MIGRATIONS.length) {
      throw new Error(
        `The database ${db.name} is at schema version ${version}, newer than this worker knows (${SQLITE_MIGRATIONS.length}); run a newer worker.`,
      );
    }
    for (let index = version; index < SQLITE_MIGRATIONS.length; index++) db.exec(SQLITE_MIGRATIONS[index] as string);
    if (version < SQLITE_MIGRATIONS.length) db.pragma(`user_version = ${SQLITE_MIGRATIONS.length}`);
  }).immediate();
}
