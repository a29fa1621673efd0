/**
 * Where any copy of the OpenTelemetry API 1.x keeps what an SDK registers (its tracer provider, context manager,
 * propagator): the API's own global, absent until something registers. The server's test/tracing/otelApi.test.ts
 * checks that registering through the API fills it.
 */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether anything was ever registered with the OpenTelemetry API (the worker's SDK, or that of an app embedding the
 * worker or the client). Until then the API's tracer, context and propagation are no-ops, so the worker's span helpers
 * and the node client's call traces skip them, and the API's load (some 44 modules, ~50 ms of CPU at a start), without
 * asking it.
 */
export function otelRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[GLOBAL_KEY] !== undefined;
}
