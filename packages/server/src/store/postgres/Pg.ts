import pg from 'pg';
import { toStorageError } from './pgErrors';

/** SQLSTATE of "cached plan must not change result type": a prepared statement outlived a schema change. */
const STALE_PLAN = '0A000';

/** A client of the pool, inside a transaction. */
export type PgClient = pg.PoolClient;

/** BIGINT columns (epoch ms, versions, counts) come back as numbers: every one of them fits in a double. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Options of the pool. */
export interface PgOptions {
  /** Most connections the pool opens (NANGO_DATABASE_POOL_SIZE). */
  poolSize: number;
  /** How long a call waits for a connection before failing with `storage_error`. Default: 5000 ms */
  connectTimeoutMs?: number;
}

/**
 * A `pg` pool with the error translation of this store: every failure becomes a retryable `storage_error` (see
 * toStorageError). A connection that dies (server restarted, network cut) is dropped from the pool, and the next
 * call opens a new one: the worker recovers by itself when the server is back.
 */
export class Pg {
  readonly pool: pg.Pool;

  constructor(connectionString: string, options: PgOptions, onIdleError: (error: Error) => void) {
    this.pool = new pg.Pool({
      connectionString,
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      // A server that stops answering without closing the connection (a network partition) must not hang calls:
      // a statement gets 30 s, and TCP keep-alive finds dead idle connections.
      query_timeout: 30_000,
      keepAlive: true,
      types,
    });
    // An idle connection the server closed emits 'error' on the pool; without a listener it would end the process.
    this.pool.on('error', onIdleError);
  }

  /**
   * Runs one statement (autocommit): a text and its values, or a statement as PgRunner makes it (maybe named).
   * @throws WorkerError `storage_error`
   */
  async query<R extends pg.QueryResultRow>(statement: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return typeof statement === 'string'
        ? await this.pool.query<R>(statement, values ?? [])
        : await this.pool.query<R>(statement);
    } catch (error) {
      throw toStorageError(error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed if it returns, rolled back if it throws. A
   * connection that failed is destroyed rather than returned to the pool.
   * @throws WorkerError `storage_error`, or what `work` threw
   */
  async transaction<T>(work: (client: PgClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStorageError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      // A named statement whose result type a migration changed fails on this connection for good: drop it, and
      // the next connection prepares the statement afresh (the pool drops failed connections of its own accord).
      if ((error as { code?: unknown }).code === STALE_PLAN) broken ??= error as Error;
      throw toStorageError(error);
    } finally {
      client.release(broken);
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}
