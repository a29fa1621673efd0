import { Registry } from './promClient';
import type { Logger } from '../logger';
import { CredentialCheckMetrics } from './CredentialCheckMetrics';
import { HttpMetrics } from './HttpMetrics';
import type { MetricSources } from './MetricSources';
import { OperationMetrics } from './OperationMetrics';
import { processRegistry } from './processRegistry';
import { RpcMetrics } from './RpcMetrics';
import { registerStateGauges, STORE_CACHE_MS } from './StateGauges';

/** A source that keeps failing is logged at most this often. */
const FAILURE_LOG_MS = 60_000;

/**
 * The metrics of one worker, in a registry of its own (never prom-client's global one: a test process runs several
 * workers), written in the Prometheus text format by `text()` with the process's own metrics after them. The doors
 * count into `http` and `rpc` as they answer; operations are counted as they end; everything else is read from
 * `sources` when scraped. Names follow Prometheus' conventions (units, `_total`) and labels are of bounded sets:
 * kinds, statuses, integrations, route patterns, message types, error codes, queue roles; never a Connection id, a
 * user id or a URL.
 */
export class WorkerMetrics {
  private readonly registry = new Registry();
  readonly http: HttpMetrics;
  readonly rpc: RpcMetrics;
  /** What the background check of credentials counts into. */
  readonly credentialChecks: CredentialCheckMetrics;
  private readonly operations: OperationMetrics;
  private readonly lastFailureLog = new Map<string, number>();

  constructor(sources: MetricSources, logger: Logger, options: { storeCacheMs?: number } = {}) {
    this.http = new HttpMetrics(this.registry);
    this.rpc = new RpcMetrics(this.registry);
    this.credentialChecks = new CredentialCheckMetrics(this.registry);
    this.operations = new OperationMetrics(this.registry, sources.log);
    const failed = (source: string, error: unknown) => {
      const last = this.lastFailureLog.get(source) ?? 0;
      if (Date.now() - last < FAILURE_LOG_MS) return;
      this.lastFailureLog.set(source, Date.now());
      logger.warn({ source, err: error }, `metrics: could not read ${source}; its gauges are left out of this scrape`);
    };
    registerStateGauges(this.registry, sources, failed, options.storeCacheMs ?? STORE_CACHE_MS);
  }

  /** The Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric of this worker, then the process's, in the Prometheus text format (version 0.0.4). */
  async text(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${own}\n${process}`;
  }

  /** Stops counting operations (the worker is stopping). */
  close(): void {
    this.operations.close();
  }
}
