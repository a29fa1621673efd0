import { setFlagsFromString } from 'node:v8';

/**
 * How far the old generation may grow past what survived the last full collection before the next one: 50%, against
 * V8's default of up to 4× for a small heap that collects fast. A worker's old space holds a few tens of MiB that
 * live (modules, caches) and what requests in flight promoted; with the default, garbage doubled it before a
 * collection, run after run. The young generation is left as V8 sizes it: bounding it too (to 2 or 8 MiB instead of
 * the 32 V8 grows it to) saved 20-30 MiB more but cost the worker 11-25% more CPU per call, the objects of requests
 * in flight then promoted early and collected often (see docs/performance.md, "The action run path").
 */
export const OLD_GENERATION_GROWTH_PERCENT = 50;

const FLAGS = `--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`;

let bounded = false;

/**
 * Bounds the process's V8 heaps for a long-running server, at run time: through the flag V8 reads each time it sizes
 * the old generation after a full collection (the fixed sizes are read once, from the command line). Process-wide:
 * the CLI calls it, not the Worker class, which tests and embedders run inside processes of their own.
 */
export function boundHeap(): void {
  bounded = true;
  setFlagsFromString(FLAGS);
}

/**
 * Keeps the bound across a thread's start: starting a worker thread resets V8's flags to the process's own (seen on
 * Node.js 20), so every thread the worker starts (action sandboxes, the SQLite log writer) sets it again once up.
 */
export function keepHeapBounds(thread: { once(event: 'online', listener: () => void): unknown }): void {
  if (bounded) thread.once('online', () => setFlagsFromString(FLAGS));
}
