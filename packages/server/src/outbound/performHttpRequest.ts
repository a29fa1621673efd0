import type { HttpMethod, HttpParams, HttpResponse } from '@nangohq/action';
import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import type { MessageLevel } from '../operationLog/Operation';
import type { RateLimitGate } from '../ratelimits/RateLimitGate';
import { retryHeadersOf } from '../ratelimits/readRateLimit';
import { inHttpClientSpan } from '../tracing/inHttpClientSpan';
import { authorise } from './authorise';
import { describeRequest, urlTemplate } from './describeRequest';
import { invalid } from './httpErrors';
import { mergeHeaders } from './mergeHeaders';
import { prepareBody } from './prepareBody';
import { renderAll } from '../config/renderTemplate';
import { guardedDispatcher } from '../net/addressGuard';
import { callsUserHost, mergeQuery, resolveUrl } from './resolveUrl';
import { sendFollowingRedirects, type Hop } from './sendFollowingRedirects';
import { toHttpResponse } from './toHttpResponse';
import { withTimeLimit } from './withTimeLimit';

/** One `this.httpRequest(...)` call from an action, plus the run's abort signal. */
export interface HttpRequestInput {
  /** Joined to base_url; an absolute URL must have base_url's origin. */
  endpoint: string;
  /** Any case; one of {@link HttpMethod}. */
  method: string;
  /** Added after the configured query params; same names replace them; null and undefined values are left out. */
  params?: HttpParams;
  /** See {@link performHttpRequest} for how each kind of value is sent. */
  body?: unknown;
  /**
   * Added after the configured headers (names are case-insensitive), which they replace unless the integration's
   * header_precedence is 'configured'.
   */
  headers?: Record<string, string>;
  /** The caller's own abort (the action run's signal); its reason is rethrown as it is. */
  signal?: AbortSignal;
  /** Told about what the call asked for but does not get (a body with GET or HEAD), for the action's log. */
  warn?: (message: string) => void;
  /**
   * Told what the worker did on the call's behalf (waited on a learned rate limit, learned one from the reply), for
   * the run's operation. The text names the method and path as messages do, never the query nor a credential.
   */
  note?: (level: MessageLevel, text: string) => void;
}

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * Sends one API call for an action: `endpoint` joined to the integration's base_url, configured and call query
 * params and headers merged, the Connection's credentials applied for the auth mode, and the body encoded
 * (undefined/null: none, and none with GET or HEAD, which fetch cannot send; string: text/plain; Buffer/Uint8Array: as is; URLSearchParams: form-encoded and
 * OAuth 1 signed; anything else: JSON). Resolves with every status code, 4xx and 5xx included.
 *
 * base_url's placeholder values may hold only RFC 3986 unreserved characters, so a Connection's values cannot
 * move the request to another host. Redirects are followed by hand, up to 5 hops and only within base_url's
 * origin (see sendFollowingRedirects); a redirect elsewhere, or a sixth one, is returned as the 3xx response.
 *
 * Messages never show the query string (it may hold an api_key) nor anything rendered from a placeholder: with
 * a plain base_url they show the method, origin and path; with placeholders, base_url as written plus the
 * endpoint as the action passed it.
 *
 * @throws WorkerError `http_host_not_allowed` when the URL's origin is not base_url's; checked before any
 *   credential is read or any request is sent. Also when base_url's host is one the user typed and it resolves to
 *   an address the guard refuses (net/addressGuard.ts), before any byte is sent.
 * @throws WorkerError `http_request_invalid` for a bad method, a body that is not
 *   JSON-serialisable, a missing template value or credential, or a base_url placeholder value holding a
 *   character other than letters, digits and `.-_~`.
 * @throws WorkerError `http_request_failed` for a timeout after `httpTimeoutMs` or a network error.
 * @throws WorkerError `http_response_too_large` for a body over the integration's `maxResponseBytes`.
 * @throws WorkerError `provider_rate_limited` when `gate` holds a limit learned for this Connection that lasts longer
 *   than the call may wait (within its time limit); a reply announcing a limit (429, Retry-After, remaining 0) is
 *   recorded in `gate` for every process.
 * @throws the reason of `request.signal` when the caller aborts.
 */
export async function performHttpRequest(
  integration: IntegrationConfig,
  connection: NangoConnection,
  request: HttpRequestInput,
  fetchImpl: typeof fetch = fetch,
  gate?: RateLimitGate,
): Promise<HttpResponse> {
  const method = normaliseMethod(request.method);
  const url = resolveUrl(integration, connection, request.endpoint);
  mergeQuery(url, renderAll(integration.queryParams, connection), request.params);
  const body = prepareBody(method, request.body, request.warn);
  const configuredHeaders = renderAll(integration.headers, connection);
  const headers = mergeHeaders(configuredHeaders, request.headers, body, integration.headerPrecedence);
  const label = describeRequest(integration.baseUrl, method, request.endpoint, url);
  const startedAt = Date.now();
  // A host the user typed: the address guard checks where it resolves (net/addressGuard.ts).
  // undici's Agent serves the fetch Node bundles; only their type declarations differ.
  const guard = callsUserHost(integration) ? ({ dispatcher: guardedDispatcher() } as unknown as RequestInit) : {};
  return withTimeLimit(integration.httpTimeoutMs, request.signal, label, async (signal) => {
    const waitedMs = await gate?.pass(connection.uuid, label.text, integration.httpTimeoutMs - (Date.now() - startedAt), signal);
    if (waitedMs && request.note) {
      request.note('info', `${label.text}: waited ${seconds(waitedMs)} s for the provider's rate limit learned earlier`);
    }
    // One HTTP client span per hop: a redirect followed is a request of its own.
    const template = urlTemplate(integration.baseUrl, request.endpoint);
    const spanAttributes = { 'nango.integration': integration.name, ...(template !== undefined && { 'url.template': template }) };
    const send = (hop: Hop): Promise<Response> =>
      inHttpClientSpan(
        hop.method,
        template === undefined ? hop.url : undefined,
        () =>
          fetchImpl(hop.url.href, {
            method: hop.method,
            headers: authorise(integration, connection, headers, hop),
            body: hop.body?.payload ?? null,
            redirect: 'manual',
            signal,
            ...guard,
          }),
        spanAttributes,
      );
    const last = await sendFollowingRedirects({ method, url, body }, send);
    const { headers: replyHeaders, status } = last.response;
    const retry = retryHeadersOf(integration.provider?.proxy?.retry);
    const limit = await gate?.learn(connection.uuid, status, (name) => replyHeaders.get(name) ?? undefined, retry);
    if (limit && request.note) {
      const lasts = seconds(Math.max(0, limit.untilMs - Date.now()));
      request.note('warn', `${label.text}: ${status} from the provider (${limit.reason}); calls wait ${lasts} s for it`);
    }
    return toHttpResponse(last.method, last.response, {
      maxBytes: integration.maxResponseBytes,
      describe: () =>
        `${label.text}: the response body is larger than ${integration.maxResponseBytes} bytes, the limit of integration ${integration.name} (max_response_bytes in integrations.yaml); it was not read further`,
    });
  });
}

/** Milliseconds as seconds with one decimal, for messages. */
function seconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toString();
}

function normaliseMethod(method: unknown): string {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!METHODS.has(upper)) {
    throw invalid(`httpRequest method ${String(method)} is not one of ${[...METHODS].join(', ')}`);
  }
  return upper;
}
