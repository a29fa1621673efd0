/**
 * The entry point of the operations log's writer thread (see OperationWriterThread): its own connection to the SQLite
 * file, which runs each batch and deletion it is sent, so that the worker's event loop never waits on them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type DatabaseType from 'better-sqlite3';
import { SqliteOperationWriter, type WriteRequest } from './SqliteOperationWriter';

/** What the thread is started with. */
export interface WriterThreadData {
  /** The database file. */
  readonly path: string;
  /** How long a write waits for another connection's lock (the store's own BUSY_TIMEOUT_MS). */
  readonly busyTimeoutMs: number;
  /** The better-sqlite3 module, resolved by the starting thread (the entry may run as bundled code from a string). */
  readonly driver: string;
}

/** One request to the thread, and its answer. */
export interface ThreadRequest {
  readonly id: number;
  readonly request: WriteRequest;
}
export interface ThreadAnswer {
  readonly id: number;
  /** What the request answers (the cutoff of `lastKept`). */
  readonly value?: string | undefined;
  /** SQLite's error code and message when it failed. */
  readonly error?: { readonly code: string | undefined; readonly message: string };
}

if (!parentPort) throw new Error('sqliteWriterThread runs only as a worker thread');
const port = parentPort;
const { path, busyTimeoutMs, driver } = workerData as WriterThreadData;
const Database = require(driver) as typeof DatabaseType;
const db = new Database(path, { timeout: busyTimeoutMs });
db.pragma('synchronous = NORMAL'); // as the store's own connection (WAL is the file's, already set)
db.pragma('secure_delete = ON');
const writer = new SqliteOperationWriter(db);

port.on('message', ({ id, request }: ThreadRequest) => {
  try {
    port.postMessage({ id, value: writer.run(request) } satisfies ThreadAnswer);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const answer: ThreadAnswer = {
      id,
      error: { code: typeof code === 'string' ? code : undefined, message: String(message ?? error) },
    };
    port.postMessage(answer);
  }
});
