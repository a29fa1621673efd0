import { collectDefaultMetrics, Registry } from './promClient';

let shared: Registry | undefined;

/**
 * The process's own metrics, prom-client's defaults (CPU, memory, heap, event loop lag, GC, handles, Node's
 * version), in a registry of their own made once per process: they describe the process, not a worker, and
 * collecting them per worker would add a GC observer and an event-loop monitor for each worker a test starts.
 */
export function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
