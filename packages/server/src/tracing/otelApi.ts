import type * as Api from '@opentelemetry/api';

let api: typeof Api | undefined;

/**
 * The OpenTelemetry API, loaded when it is first needed: some 44 modules (~50 ms of CPU) that a server without
 * tracing never needs, so not at every start (docs/performance.md, start-up).
 */
export function otelApi(): typeof Api {
  api ??= require('@opentelemetry/api') as typeof Api;
  return api;
}

/** Whether an SDK registered with the API (one place for the worker and the node client: @nangohq/protocol). */
export { otelRegistered } from '@nangohq/protocol';
