import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../../../config/types';
import { freshConnection } from '../../../operations/freshConnection';
import { mergeHeaders } from '../../../outbound/mergeHeaders';
import { callsUserHost, mergeQuery, resolveEndpoint, resolveUrl } from '../../../outbound/resolveUrl';
import { ProviderRateLimited, RateLimitGate } from '../../../ratelimits/RateLimitGate';
import { failureOf } from '../../../operationLog/failureOf';
import type { OperationHandle } from '../../../operationLog/OperationLog';
import type { ApiContext } from '../../ApiContext';
import { OPERATION_ID_HEADER } from '../../operationIdHeader';
import { withBaseUrlOverride } from './baseUrlOverride';
import { connectionTarget, type ConnectionTarget } from './connectionTarget';
import { readProxyBody } from './proxyBody';
import { forwardedHeaders, readControl, replyHeaders } from './proxyHeaders';
import { pathWithoutQueryValues } from './pathWithoutQueryValues';
import { sendProxied, type UpstreamReply } from './sendProxied';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const NO_BODY_STATUSES = new Set([204, 304]);

/**
 * `/proxy/*`, every method: the call is sent to the integration's API with the Connection's credentials, and the
 * provider's reply comes back as it is, streamed both ways (see sendProxied for retries and learned rate limits).
 * Each call is a `proxy` operation named `<METHOD> <path>` (query values left out), ended when the provider's reply
 * headers are in (or the call failed): a 4xx or 5xx reply ends it `failed` with code `http_<status>`. Its id comes back
 * in `X-Nango-Operation-Id`.
 * Registered in a plugin of its own whose content-type parser accepts any type and size and leaves the body unread,
 * so the route reads the raw request stream itself: no JSON parsing, no 1 MiB limit.
 */
export function registerProxy(app: FastifyInstance, context: ApiContext): void {
  const settings = context.workerSettings;
  const gate = new RateLimitGate(context.store.rateLimits, settings.rateLimitMaxWaitMs, context.logger, settings.proxyStaleMs);
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request: FastifyRequest, _payload: unknown, done: (err: null) => void) => done(null));
    scope.route({
      method: METHODS,
      url: '/proxy/*',
      exposeHeadRoute: false,
      config: { anyContentType: true, ownInputChecks: true },
      handler: (request, reply) => proxy(request, reply, context, gate),
    });
  });
}

async function proxy(request: FastifyRequest, reply: FastifyReply, context: ApiContext, gate: RateLimitGate): Promise<void> {
  const control = readControl(request.headers);
  const path = pathWithoutQueryValues(endpointOf(request.url));
  const operation = context.operations.log.start({
    kind: 'proxy',
    name: `${request.method} ${path}`,
    integration: control.integration,
    connectionId: control.connectionId,
    fields: { method: request.method, path, retries: 0, rateLimitWaitMs: 0 },
  });
  if (operation.id) void reply.header(OPERATION_ID_HEADER, operation.id);
  try {
    return await forward(request, reply, context, gate, control, operation);
  } catch (err) {
    const failure = failureOf(err);
    operation.end(failure.status, failure.error); // ignored once the provider's reply ended it
    throw err;
  }
}

async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  context: ApiContext,
  gate: RateLimitGate,
  control: ReturnType<typeof readControl>,
  operation: OperationHandle,
): Promise<void> {
  const settings = context.workerSettings;
  const fresh = await freshConnection(
    context.operations,
    control.integration,
    control.connectionId,
    false,
    operation.id,
    settings.proxyStaleMs,
  );
  const { connection } = fresh;
  const integration =
    control.baseUrlOverride === undefined
      ? fresh.integration
      : withBaseUrlOverride(fresh.integration, connection, control.baseUrlOverride, settings.proxyAllowedHosts);
  const endpoint = endpointOf(request.url);
  const target = targetOrFirstError(integration, connection, endpoint);
  const url = resolveEndpoint(integration, target.base, endpoint);
  mergeQuery(url, target.query, undefined);
  const headers = mergeHeaders(target.headers, forwardedHeaders(request.headers), undefined, integration.headerPrecedence);
  const aborted = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) aborted.abort(new Error('the caller went away'));
  });
  let upstream: UpstreamReply;
  try {
    upstream = await sendProxied({
      integration,
      connection,
      method: request.method,
      url,
      endpoint,
      // Judged on the integration, not the override: an override may name the Connection's own typed host.
      userHost: callsUserHost(fresh.integration),
      headers,
      body: await readProxyBody(request.method, request.raw),
      retries: control.retries,
      retryOn: control.retryOn,
      retryBaseMs: settings.proxyRetryBaseMs,
      timeoutMs: settings.proxyTimeoutMs,
      gate,
      signal: aborted.signal,
      operation,
    });
  } catch (err) {
    if (err instanceof ProviderRateLimited) void reply.header('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
    throw err;
  }
  const { raw } = upstream;
  operation.set({ status: raw.statusCode });
  if (raw.statusCode < 400) operation.end('success');
  else operation.end('failed', { code: `http_${raw.statusCode}`, message: `the provider answered ${raw.statusCode}` });
  const encoding = String(raw.headers['content-encoding'] ?? '').toLowerCase();
  const decoder = control.decompress ? decoderFor(encoding) : undefined;
  void reply.code(raw.statusCode).headers(replyHeaders(raw.headers, decoder !== undefined));
  if (request.method === 'HEAD' || NO_BODY_STATUSES.has(raw.statusCode)) {
    await raw.body.dump();
    return reply.send();
  }
  if (decoder === undefined) return reply.send(raw.body);
  return reply.send(pipeline(raw.body, decoder, () => undefined));
}

/**
 * connectionTarget, or when it throws the error the call met first before it was kept per Connection: the URL
 * (base_url, then the endpoint), then the query params, then the headers.
 */
function targetOrFirstError(integration: IntegrationConfig, connection: NangoConnection, endpoint: string): ConnectionTarget {
  try {
    return connectionTarget(integration, connection);
  } catch (err) {
    resolveUrl(integration, connection, endpoint);
    throw err;
  }
}

/** The URL minus `/proxy`, query string kept, leading slashes collapsed to one (so `/proxy//x` is `/x`). */
export function endpointOf(url: string): string {
  return `/${url.replace(/^\/proxy/, '').replace(/^\/+/, '')}`;
}

function decoderFor(encoding: string) {
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  return undefined;
}
