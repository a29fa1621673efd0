import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { PoolUse, Store } from '../Store';
import { POSTGRES } from '../sql/dialect';
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
import pg from 'pg';
import { Pg, type PgOptions } from './Pg';
import { toStorageError } from './pgErrors';
import { PgConnectionStore } from './PgConnectionStore';
import { PgIdempotencyStore } from './PgIdempotencyStore';
import { PgIntegrationStore } from './PgIntegrationStore';
import { PgKeyRecords } from './PgKeyRecords';
import { PG_MIGRATIONS } from './pgMigrations';
import { PgRecordStore } from './PgRecordStore';
import { PgRowCopier } from './PgRowCopier';
import { PgRunner } from './PgRunner';
import { PgWebhookStore } from './PgWebhookStore';
import { PgOperationStore } from './PgOperationStore';

/** The advisory lock every process takes to migrate and check a database at start ('nango' in ASCII). */
const START_LOCK = 0x6e616e676f;

/** Options of a PostgreSQL store. */
export interface PgStoreOptions extends PgOptions {
  idempotency?: IdempotencyStoreOptions;
  /** Told about an idle pooled connection that died (the pool replaces it); the worker logs it. */
  onIdleError?: (error: Error) => void;
}

/**
 * The store for deployments on several machines: PostgreSQL through a `pg` pool, plain SQL (why not a query builder:
 * docs/performance.md). Cross-process guarantees come from the database: a unique constraint per (integration,
 * user id), row locks for read-then-write transactions, conditional updates for leases and fenced credentials, and
 * an advisory lock around migrations at start.
 */
export class PgStore implements Store {
  readonly kind = 'postgres';
  readonly connections: PgConnectionStore;
  readonly idempotency: PgIdempotencyStore;
  readonly refreshLocks: SqlRefreshLocks;
  readonly credentialChecks: SqlCredentialCheckStore;
  readonly deliveries: SqlDeliveryCounter;
  readonly keys: PgKeyRecords;
  readonly rows: PgRowCopier;
  readonly integrations: PgIntegrationStore;
  readonly oauthSessions: SqlOAuthSessionStore;
  readonly mcpClients: SqlMcpClientStore;
  readonly functionDeployments: SqlFunctionDeploymentStore;
  readonly connectSessions: SqlConnectSessionStore;
  readonly dashboardSessions: SqlDashboardSessionStore;
  readonly rateLimits: SqlRateLimitStore;
  readonly apiRateCounts: SqlApiRateCounts;
  readonly asyncActions: SqlAsyncActionStore;
  readonly webhooks: PgWebhookStore;
  readonly records: PgRecordStore;
  readonly syncSchedules: SqlSyncScheduleStore;
  private readonly poolSize: number;
  readonly operations: PgOperationStore;
  private closed: Promise<void> | undefined;

  private constructor(
    readonly location: string,
    readonly pg: Pg,
    cipher: CredentialCipher,
    options: PgStoreOptions,
  ) {
    // The parts whose SQL is the same on SQLite are the shared classes themselves; the others add what PostgreSQL
    // does its own way.
    const runner = new PgRunner(pg);
    this.connections = new PgConnectionStore(pg, cipher);
    this.idempotency = new PgIdempotencyStore(pg, cipher, options.idempotency);
    this.refreshLocks = new SqlRefreshLocks(runner);
    this.credentialChecks = new SqlCredentialCheckStore(runner, POSTGRES);
    this.deliveries = new SqlDeliveryCounter(runner);
    this.keys = new PgKeyRecords(pg);
    this.rows = new PgRowCopier(pg);
    this.integrations = new PgIntegrationStore(pg, cipher);
    this.oauthSessions = new SqlOAuthSessionStore(runner, cipher);
    this.mcpClients = new SqlMcpClientStore(runner, cipher);
    this.functionDeployments = new SqlFunctionDeploymentStore(runner);
    this.connectSessions = new SqlConnectSessionStore(runner);
    this.dashboardSessions = new SqlDashboardSessionStore(runner);
    this.rateLimits = new SqlRateLimitStore(runner);
    this.apiRateCounts = new SqlApiRateCounts(runner);
    this.asyncActions = new SqlAsyncActionStore(runner, POSTGRES, cipher);
    this.webhooks = new PgWebhookStore(pg, cipher);
    this.records = new PgRecordStore(pg, cipher);
    this.syncSchedules = new SqlSyncScheduleStore(runner, POSTGRES);
    this.poolSize = options.poolSize;
    this.operations = new PgOperationStore(pg);
  }

  /**
   * Connects, then, holding the database's start lock (an advisory lock, so processes starting together take turns
   * and none sees a half-made schema), brings the schema up to date and runs `atStart` (the key checks).
   * @throws WorkerError `storage_error` when the server cannot be reached; Error for a schema newer than this worker
   */
  static async open(
    url: string,
    cipher: CredentialCipher,
    options: PgStoreOptions,
    atStart?: (store: PgStore) => Promise<void>,
  ): Promise<PgStore> {
    const pg = new Pg(url, options, options.onIdleError ?? (() => undefined));
    const store = new PgStore(redactUrl(url), pg, cipher, options);
    try {
      await store.underStartLock(url, async () => {
        await migrate(pg, store.location);
        await atStart?.(store);
      });
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async ping(): Promise<void> {
    await this.pg.query('SELECT 1');
  }

  close(): Promise<void> {
    this.closed ??= this.pg.end();
    return this.closed;
  }

  poolUse(): PoolUse {
    const { pool } = this.pg;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: this.poolSize };
  }

  /**
   * Runs `work` holding the start lock, on a connection of its own beside the pool: `work` uses the pool, which
   * may hold a single connection.
   */
  private async underStartLock(url: string, work: () => Promise<void>): Promise<void> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined); // a failure shows on the query that meets it
    try {
      await client.connect();
      await client.query('SELECT pg_advisory_lock($1)', [START_LOCK]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw toStorageError(error); // unreachable: a storage_error naming the cause, never the password
    }
    try {
      await work();
    } finally {
      // Ending the session releases the lock, even when the unlock itself cannot be sent any more.
      await client.end().catch(() => undefined);
    }
  }
}

/** Applies pending migrations, each in its own transaction with the version it reaches. */
async function migrate(pg: Pg, location: string): Promise<void> {
  await pg.query('CREATE TABLE IF NOT EXISTS nango_schema (version INTEGER NOT NULL)');
  const { rows } = await pg.query<{ version: number }>('SELECT version FROM nango_schema');
  let version = rows[0]?.version;
  if (version === undefined) {
    await pg.query('INSERT INTO nango_schema (version) VALUES (0)');
    version = 0;
  }
  if (version > PG_MIGRATIONS.length) {
    throw new Error(
      `The database ${location} is at schema version ${version}, newer than this worker knows (${PG_MIGRATIONS.length}); run a newer worker.`,
    );
  }
  for (let index = version; index < PG_MIGRATIONS.length; index++) {
    await pg.transaction(async (client) => {
      await client.query(PG_MIGRATIONS[index] as string);
      await client.query('UPDATE nango_schema SET version = $1', [index + 1]);
    });
  }
}

/** A connection URL fit for logs and messages: its password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
