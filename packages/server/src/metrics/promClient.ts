import type * as PromClient from 'prom-client';

// prom-client's classes from their own modules rather than from its entry point, which loads all of prom-client at
// once: the Pushgateway, the cluster aggregator and the default metrics, whose CPU counter loads the OpenTelemetry
// API (some 44 modules, ~50 ms of CPU) at every start of the server, tracing or not (docs/performance.md,
// start-up). prom-client has no `exports` map, so these paths are public files; test/metrics/promClient.test.ts
// checks that each is the class the entry point exports, so an upgrade that moved one fails there.

/** prom-client's Counter. */
export const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
/** prom-client's Gauge. */
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
/** prom-client's Histogram. */
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;
/** prom-client's Registry. */
export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
/** The classes' instance types, as the entry point declares them. */
export type Counter<T extends string = string> = PromClient.Counter<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
export type Registry<T extends PromClient.RegistryContentType = PromClient.PrometheusContentType> = PromClient.Registry<T>;

/** prom-client's collectDefaultMetrics, loaded with the process's own metrics at the first scrape. */
export const collectDefaultMetrics = (...args: Parameters<typeof PromClient.collectDefaultMetrics>): void =>
  (require('prom-client/lib/defaultMetrics') as typeof PromClient.collectDefaultMetrics)(...args);
