import { WorkerError } from '../../errors';

/** SQLSTATE of a unique violation. */
export const UNIQUE_VIOLATION = '23505';

/**
 * Turns a failure of the PostgreSQL driver (server unreachable, connection cut, server shutting down, pool timeout,
 * a refused statement, ...) into a `storage_error` the caller can retry: the pool reconnects by itself, so the same
 * call succeeds once the server is back. WorkerErrors pass through. The message names the SQLSTATE or system code,
 * never the connection string.
 */
export function toStorageError(error: unknown): unknown {
  if (error instanceof WorkerError) return error;
  const code = (error as { code?: unknown }).code;
  const message = (error as Error)?.message ?? String(error);
  const tag = typeof code === 'string' ? code : 'no code';
  return new WorkerError('storage_error', `The database refused the operation or could not be reached (${tag}): ${message}`, {
    cause: error,
  });
}
