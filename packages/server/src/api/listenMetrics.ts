import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import type { WorkerMetrics } from '../metrics/WorkerMetrics';
import { mayScrape, SCRAPE_REFUSED, type ScrapeKeys } from './routes/metrics/getMetrics';

/** The metrics listener, once it listens. */
export interface MetricsListener {
  /** Its base URL, e.g. http://127.0.0.1:9464 (the real port when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * NANGO_METRICS_PORT: a small HTTP listener of its own that answers `GET /metrics` and nothing else, with the same
 * keys as the API's route. It serves processes that have no HTTP API (the `worker` role), and deployments that keep
 * scraping off the API's port. Plain node:http: one route needs no framework.
 */
export async function listenMetrics(
  metrics: WorkerMetrics,
  options: ScrapeKeys & { host: string; port: number; logger: Logger },
): Promise<MetricsListener> {
  const { host, port, logger } = options;
  const keys: ScrapeKeys = { secretKey: options.secretKey, metricsToken: options.metricsToken };
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'route_not_found', message: 'This listener serves GET /metrics only' } }));
      return;
    }
    if (!mayScrape(request.headers.authorization, keys)) {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      response.end(JSON.stringify(SCRAPE_REFUSED));
      return;
    }
    metrics.text().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics: the scrape failed');
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: { code: 'internal_error', message: 'The metrics could not be read; see the log' } }),
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
