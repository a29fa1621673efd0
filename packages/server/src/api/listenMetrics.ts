import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import type { WorkerMetrics } from '../metrics/WorkerMetrics';
import { LIVE, readinessAnswer, type Readiness } from './readiness';
import { mayScrape, SCRAPE_REFUSED, type ScrapeKeys } from './routes/metrics/getMetrics';

/** The metrics listener, once it listens. */
export interface MetricsListener {
  /** Its base URL, e.g. http://127.0.0.1:9464 (the real port when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

/** The paths this listener serves; the health ones need no key (a kubelet's probe carries none). */
const PATHS = new Set(['/metrics', '/health', '/health/ready']);

/**
 * NANGO_METRICS_PORT: a small HTTP listener of its own that answers `GET /metrics`, with the same keys as the API's
 * route, and the liveness and readiness answers of the API (`GET /health`, `GET /health/ready`, no key). It serves
 * processes that have no HTTP API (the `worker` role: its probes), and deployments that keep scraping off the API's
 * port. Plain node:http: three routes need no framework.
 */
export async function listenMetrics(
  metrics: WorkerMetrics,
  options: ScrapeKeys & { host: string; port: number; logger: Logger; readiness: () => Promise<Readiness> },
): Promise<MetricsListener> {
  const { host, port, logger, readiness } = options;
  const keys: ScrapeKeys = { secretKey: options.secretKey, metricsToken: options.metricsToken };
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (!PATHS.has(path) || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      const message = 'This listener serves GET /metrics, /health and /health/ready only';
      response.end(JSON.stringify({ error: { code: 'route_not_found', message } }));
      return;
    }
    const head = request.method === 'HEAD';
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(head ? undefined : JSON.stringify(LIVE));
      return;
    }
    if (path === '/health/ready') {
      readiness().then(
        (answer) => {
          const { status, body } = readinessAnswer(answer);
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(head ? undefined : JSON.stringify(body));
        },
        (error: unknown) => {
          logger.error({ err: error }, 'health: the readiness check failed');
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(head ? undefined : JSON.stringify({ status: 'unavailable', down: ['readiness check'] }));
        },
      );
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
        response.end(head ? undefined : text);
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
