import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import type { ApiErrorBody } from '../../ApiError';
import { keyOf, secretEquals } from '../../secretKey';

/** What may read the metrics: the secret key, NANGO_METRICS_TOKEN, or anyone when neither is set. */
export interface ScrapeKeys {
  readonly secretKey: string | undefined;
  readonly metricsToken: string | undefined;
}

/**
 * Whether an Authorization header may read the metrics. The metrics token reads nothing else, so Prometheus need not
 * hold the secret key (which reads every token); with neither set the metrics are open, as the API then is.
 */
export function mayScrape(authorization: string | undefined, keys: ScrapeKeys): boolean {
  const { secretKey, metricsToken } = keys;
  if (secretKey === undefined && metricsToken === undefined) return true;
  const given = keyOf(authorization);
  if (given === undefined) return false;
  return (
    (secretKey !== undefined && secretEquals(given, secretKey)) ||
    (metricsToken !== undefined && secretEquals(given, metricsToken))
  );
}

/** The 401 body of a scrape without the right key. */
export const SCRAPE_REFUSED: ApiErrorBody = {
  error: {
    code: 'unauthorized',
    message: 'Reading /metrics requires NANGO_METRICS_TOKEN or the secret key: send it as "Authorization: Bearer <token>"',
  },
};

/**
 * `GET /metrics`: this worker's metrics in the Prometheus text format (docs/observability.md). Authenticated by
 * itself (see mayScrape), not by the API-wide secret-key check, so that the metrics token works here.
 */
export function registerGetMetrics(app: FastifyInstance, context: ApiContext): void {
  const { metrics } = context;
  if (!metrics) return;
  app.get('/metrics', { config: { public: true } }, async (request, reply) => {
    const keys = { secretKey: context.settings.secretKey, metricsToken: context.workerSettings.metricsToken };
    if (!mayScrape(request.headers.authorization, keys)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send(SCRAPE_REFUSED);
    }
    const text = await metrics.text();
    return reply.header('content-type', metrics.contentType).send(text);
  });
}
