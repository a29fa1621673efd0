import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import { SharedRateLimitStore } from './SharedRateLimitStore';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@nangohq/protocol';
import type { ApiContext } from './ApiContext';
import { checkSecretKey } from './secretKey';

/** Headers a browser may read from a reply (contract C.3.3). */
export const CORS_EXPOSED_HEADERS = [
  'Authorization',
  'Etag',
  'Content-Type',
  'Content-Length',
  'X-Nango-Signature',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
  'X-Nango-Operation-Id',
];

/** Headers a browser may send; besides these, any `Nango-*` header it asks for (Nango-Proxy-<name> has no fixed list). */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Accept-Encoding',
  'Provider-Config-Key',
  'Connection-Id',
  'Base-Url-Override',
  'Retries',
  'Retry-On',
  'Decompress',
  'Forward-Headers-On-Redirect',
  'X-Async',
  'X-Max-Retries',
  'Idempotency-Key',
  'X-Nango-Signature',
  // The MCP client's (POST /mcp): the protocol version it speaks.
  'Mcp-Protocol-Version',
];

/** An error whose reply body is given whole (the 429 of the rate limit carries `method` and `path` besides the code). */
export class ReplyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: { error: { code: ErrorCode; message: string } & Record<string, unknown> },
  ) {
    super(body.error.message);
    this.name = 'ReplyError';
  }
}

/**
 * CORS (@fastify/cors): origins from NANGO_CORS_ORIGINS (`*`, or a comma-separated list, each echoed back when it
 * matches, with `Vary: Origin`). Preflights are answered in an onRequest hook registered before the secret-key
 * check (a browser's preflight carries no Authorization header) and before the rate limit.
 */
export async function registerCors(app: FastifyInstance, context: ApiContext): Promise<void> {
  const configured = context.workerSettings.corsOrigins.trim();
  const origins = configured === '*' ? '*' : configured.split(',').map((origin) => origin.trim().replace(/\/+$/, ''));
  // Made once: the options of a request that asks for no Nango-* header, every request but some preflights. Building
  // them (and joining the lists into header values) per request was some 15 µs of each proxy call's CPU.
  const fixed = {
    origin: origins,
    methods: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    allowedHeaders: CORS_ALLOWED_HEADERS.join(', '),
    exposedHeaders: CORS_EXPOSED_HEADERS.join(', '),
    maxAge: 600,
  };
  await app.register(fastifyCors, {
    delegator: (request: FastifyRequest, callback: (error: Error | null, options: object) => void) => {
      const askedFor = request.headers['access-control-request-headers'];
      const asked =
        askedFor === undefined
          ? []
          : String(askedFor)
              .split(',')
              .map((name) => name.trim())
              .filter((name) => /^nango-[A-Za-z0-9-]+$/i.test(name));
      callback(null, asked.length === 0 ? fixed : { ...fixed, allowedHeaders: [...CORS_ALLOWED_HEADERS, ...asked].join(', ') });
    },
  });
}

/**
 * The API's own rate limit (@fastify/rate-limit, counted across every API process on the database by
 * SharedRateLimitStore, without a round trip per request): NANGO_API_RATE_LIMIT
 * requests per NANGO_API_RATE_LIMIT_WINDOW_S for each secret key (a hash of it, when it is the right one) or, without
 * a valid key, each client address. An onRequest hook before the secret-key check, so every reply (401s and 404s
 * too) carries X-RateLimit-Limit/Remaining/Reset, and guessing keys is limited per address. Over the limit: 429 with
 * Retry-After and `{ error: { code: 'too_many_request', message, method, path } }`.
 */
export async function registerRateLimit(app: FastifyInstance, context: ApiContext): Promise<void> {
  const { apiRateLimit, apiRateLimitWindowSeconds } = context.workerSettings;
  const counts = new SharedRateLimitStore(context.store.apiRateCounts, apiRateLimitWindowSeconds * 1000, context.logger);
  app.addHook('onClose', () => counts.close());
  await app.register(fastifyRateLimit, {
    global: false,
    store: SharedRateLimitStore.of(counts),
    max: apiRateLimit,
    timeWindow: apiRateLimitWindowSeconds * 1000,
    keyGenerator: (request) => {
      // The same check as the secret-key hook's, made once for both (checkSecretKey keeps it on the request).
      const check = checkSecretKey(request, context.settings.secretKey);
      return check.valid ? `key:${check.givenSha256}` : `address:${request.ip}`;
    },
    errorResponseBuilder: (request, limit) =>
      new ReplyError(limit.statusCode, {
        error: {
          code: 'too_many_request',
          message: `Too many requests: at most ${limit.max} per ${apiRateLimitWindowSeconds} s (NANGO_API_RATE_LIMIT); retry in ${limit.after}`,
          method: request.method,
          path: request.url.split('?')[0] ?? '',
        },
      }),
  });
  app.addHook('onRequest', app.rateLimit());
}

/**
 * Only JSON bodies: Fastify's text/plain parser goes, so any content type but application/json is a 415 (a request
 * without a body, or without Content-Type, is fine). Bodies over the app's bodyLimit are a 413. An empty body with
 * `Content-Type: application/json` is no body: the official SDKs send that header on DELETE requests without one.
 */
export function jsonOnly(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body.toString(), done);
  });
}

/** Our code for Fastify's own client errors (body too large, wrong content type), undefined for the others. */
export function clientErrorCode(error: FastifyError): { status: number; code: ErrorCode; message: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'payload_too_large', message: 'The request body is larger than this route accepts' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'invalid_content_type',
        message: 'This route takes a JSON body: send it with Content-Type: application/json',
      };
    default:
      return undefined;
  }
}
