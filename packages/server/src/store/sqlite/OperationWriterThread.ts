import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { keepHeapBounds } from '../../heapBounds';
import { WorkerError } from '../../errors';
import type { ThreadAnswer, ThreadRequest, WriterThreadData } from './sqliteWriterThread';
import type { WriteRequest } from './SqliteOperationWriter';

/**
 * Runs the operations log's writes on a thread of their own, with its own connection to the SQLite file: a batch of
 * a few hundred operations is tens of milliseconds of SQLite work, which would otherwise stall every request the
 * worker's event loop serves meanwhile. The thread starts with the first write; if it dies, the writes waiting on it
 * fail with `storage_error` (the log retries them) and the next write starts a new one.
 */
export class OperationWriterThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (value: string | undefined) => void; reject: (error: Error) => void }>();
  private readonly inFlight = new Set<Promise<string | undefined>>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly data: Omit<WriterThreadData, 'driver'>) {}

  /** Runs one request on the thread, and gives its answer. @throws WorkerError `storage_error` */
  run(request: WriteRequest): Promise<string | undefined> {
    if (this.closed) return Promise.reject(new WorkerError('storage_error', 'The store is closed'));
    const worker = this.started();
    const id = ++this.nextId;
    const done = new Promise<string | undefined>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request } satisfies ThreadRequest);
    });
    this.inFlight.add(done);
    const forget = () => void this.inFlight.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** Waits for the writes in flight, then stops the thread. Later writes fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const { file, code } = threadEntry();
    const workerData: WriterThreadData = { ...this.data, driver: require.resolve('better-sqlite3') };
    const worker = code === undefined ? new Worker(file, { workerData }) : new Worker(code, { eval: true, workerData });
    worker.unref(); // an idle log never keeps the process alive
    keepHeapBounds(worker);
    worker.on('message', (answer: ThreadAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (answer.error === undefined) waiting.resolve(answer.value);
      else {
        const { code, message } = answer.error;
        waiting.reject(new WorkerError('storage_error', `The database refused the operation (${code ?? 'error'}): ${message}`));
      }
    });
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const { reject } of this.pending.values()) reject(new WorkerError('storage_error', reason));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(`The operations log's writer thread failed: ${error.message}`));
    worker.on('exit', (exitCode) => fail(`The operations log's writer thread exited (${exitCode})`));
    this.worker = worker;
    return worker;
  }
}

let entry: { file: string; code?: string } | undefined;

/** The thread's script: the compiled sqliteWriterThread.js beside this file; from the sources (tests), it bundled. */
function threadEntry(): { file: string; code?: string } {
  if (entry) return entry;
  const file = join(__dirname, 'sqliteWriterThread.js');
  if (existsSync(file)) return (entry = { file });
  const source = join(__dirname, 'sqliteWriterThread.ts');
  // esbuild is loaded only here, when running from the TypeScript sources (tests): never by a built server.
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const built = buildSync({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    write: false,
  });
  return (entry = { file: source, code: built.outputFiles[0]!.text });
}
