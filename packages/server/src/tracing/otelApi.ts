import type * as Api from '@opentelemetry/api';

/**
 * Where any copy of the OpenTelemetry API 1.x keeps what an SDK registers (its tracer provider, context manager,
 * propagator): the API's own global, absent until something registers. test/tracing/otelApi.test.ts checks that
 * registering through the API fills it.
 */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

let api: typeof Api | undefined;

/**
 * The OpenTelemetry API, loaded when it is first needed: some 44 modules (~50 ms of CPU) that a server without
 * tracing never needs, so not at every start (docs/performance.md, start-up).
 */
export function otelApi(): typeof Api {
  api ??= require('@opentelemetry/api') as typeof Api;
  return api;
}

/**
 * Whether anything was ever registered with the OpenTelemetry API (our SDK, see startTracing, or that of an app that
 * embeds the worker). Until then the API's tracer, context and propagation are no-ops, so a span helper can skip
 * them, and the API's load, without asking it.
 */
export function otelRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[GLOBAL_KEY] !== undefined;
}
