import type { Registry } from './promClient';
import { CellCounter } from './CellCounter';
import { CellHistogram } from './CellHistogram';

/** Upper bounds of request durations, in seconds. */
export const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/** The route label of a request no route matched (a 404): never its URL, which would make a series per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Status codes as label values, made once rather than per reply. */
const STATUS_TEXT = Array.from({ length: 600 }, (_, code) => String(code));

/** HTTP requests by method, route pattern (`/connections/:connectionId`, never the URL) and status, with durations. */
export class HttpMetrics {
  private readonly requests: CellCounter;
  private readonly durations: CellHistogram;

  constructor(registry: Registry) {
    this.requests = new CellCounter(
      registry,
      'nango_http_requests_total',
      'HTTP API requests answered, by method, route pattern and status code.',
      ['method', 'route', 'status'],
    );
    this.durations = new CellHistogram(
      registry,
      'nango_http_request_duration_seconds',
      'How long the HTTP API took to answer, by method and route pattern.',
      ['method', 'route'],
      REQUEST_BUCKETS,
    );
  }

  /** One answered request: its route pattern (undefined when none matched), status code and time in milliseconds. */
  observe(method: string, route: string | undefined, status: number, ms: number): void {
    const pattern = route ?? UNMATCHED_ROUTE;
    this.requests.cell(method, pattern, STATUS_TEXT[status] ?? String(status)).value++;
    this.durations.cell(method, pattern).observe(ms / 1000);
  }
}
