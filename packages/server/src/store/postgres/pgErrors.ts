import { WorkerError } from '../../errors';

/** SQLSTATE of a unique violation. */
export const UNIQUE_VIOLATION = '23505';

/** SQLSTATE of a text value PostgreSQL cannot hold: in UTF-8 databases, only U+0000 (`invalid byte sequence … 0x00`). */
const NUL_IN_TEXT = '22021';

/**
 * Turns a failure of the PostgreSQL driver (server unreachable, connection cut, server shutting down, pool timeout,
 * a refused statement, ...) into a `storage_error` the caller can retry: the pool reconnects by itself, so the same
 * call succeeds once the server is back. WorkerErrors pass through. The message names the SQLSTATE or system code,
 * never the connection string. A NUL in a text value, which no retry cures, is an `invalid_request` instead.
 */
export function toStorageError(error: unknown): unknown {
  if (error instanceof WorkerError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === NUL_IN_TEXT) {
    // Not the database's fault and no retry will pass: the doors refuse NUL (api/nulCharacter.ts, validateMessage,
    // SandboxSyncExecutor); this says so plainly should a value reach the database some other way.
    return new WorkerError(
      'invalid_request',
      `A value holds the NUL character (\\u0000), which PostgreSQL cannot store in text (${NUL_IN_TEXT})`,
      { cause: error },
    );
  }
  const message = (error as Error)?.message ?? String(error);
  const tag = typeof code === 'string' ? code : 'no code';
  return new WorkerError('storage_error', `The database refused the operation or could not be reached (${tag}): ${message}`, {
    cause: error,
  });
}
