import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** How long a start waits for the processes starting before it; each holds the lock for milliseconds. */
const START_LOCK_TIMEOUT_MS = 120_000;

/**
 * Runs the start of a process on the SQLite database at `dbPath` (key file, WAL switch, migrations, key
 * fingerprint) while holding an exclusive lock on a small lock file beside it (`<db>-startlock`), so processes
 * starting together on a new database take turns instead of racing through those steps: SQLite answers some of
 * those races with "database is locked" at once, without waiting for its busy timeout. The lock is an ordinary
 * SQLite lock (POSIX advisory locks), which the operating system releases when its process dies, even by SIGKILL.
 */
export async function underStartLock<T>(dbPath: string, start: () => Promise<T>): Promise<T> {
  if (dbPath === ':memory:') return start();
  mkdirSync(dirname(dbPath), { recursive: true });
  const lock = new Database(`${dbPath}-startlock`, { timeout: START_LOCK_TIMEOUT_MS });
  try {
    lock.exec('BEGIN EXCLUSIVE'); // writes nothing: the file stays empty, the lock is all it is for
    try {
      return await start();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
