import { WorkerError } from '../../errors';

/**
 * Runs a database operation, turning SQLite's own failures (locked, read-only, disk full, ...) into a
 * `storage_error` the caller can retry, instead of an internal error.
 * @throws WorkerError `storage_error`
 */
export function withStorageErrors<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) {
      throw new WorkerError('storage_error', `The database refused the operation (${code}): ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
