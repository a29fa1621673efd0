import type { HttpMethod, HttpParams, HttpResponse } from '@nangohq/action';
import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig, Template } from '../config/types';
import { WorkerError } from '../errors';
import { oauth1AuthorizationHeader } from './oauth1';
import { renderTemplate } from './renderTemplate';

/** One `this.httpRequest(...)` call from an action, plus the run's abort signal. */
export interface HttpRequestInput {
  /** Joined to base_url; an absolute URL must have base_url's origin. */
  endpoint: string;
  /** Any case; one of {@link HttpMethod}. */
  method: string;
  /** Added after the configured query params; same names replace them; undefined values are left out. */
  params?: HttpParams;
  /** See {@link performHttpRequest} for how each kind of value is sent. */
  body?: unknown;
  /** Added after the configured headers; names are case-insensitive and replace configured ones. */
  headers?: Record<string, string>;
  /** The caller's own abort (the action run's signal); its reason is rethrown as it is. */
  signal?: AbortSignal;
}

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/** `http:`/`https:` (a same-scheme `http:host` would otherwise parse as a path), any `scheme://`, or `//host`. */
const ABSOLUTE_ENDPOINT = /^(?:https?:|[a-z][a-z\d+.-]*:\/\/|[\\/]{2})/i;
const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

interface PreparedBody {
  readonly payload: string | Uint8Array;
  /** Sent unless the configured or call headers set a content-type. */
  readonly contentType: string | undefined;
}

interface Hop {
  readonly method: string;
  readonly url: URL;
  readonly body: PreparedBody | undefined;
}

/**
 * Sends one API call for an action: `endpoint` joined to the integration's base_url, configured and call query
 * params and headers merged, the Connection's credentials applied for the auth mode, and the body encoded
 * (undefined/null: none; string: text/plain; Buffer/Uint8Array: as is; URLSearchParams: form-encoded and
 * OAuth 1 signed; anything else: JSON). Resolves with every status code, 4xx and 5xx included.
 *
 * Redirects are followed by hand, up to 5 hops and only within base_url's origin, because fetch would follow
 * them anywhere: undici drops Authorization on a cross-origin hop but keeps every other header, so an API key
 * header would reach the other host. A redirect elsewhere, or a sixth one, is returned as the 3xx response.
 *
 * Messages show the method, origin and path, never the query string: it may hold an api_key.
 *
 * @throws WorkerError `http_host_not_allowed` when the URL's origin is not base_url's; checked before any
 *   credential is read or any request is sent.
 * @throws WorkerError `http_request_invalid` for a bad method, a body with GET/HEAD, a body that is not
 *   JSON-serialisable, or a missing template value or credential.
 * @throws WorkerError `http_request_failed` for a timeout after `httpTimeoutMs` or a network error.
 * @throws the reason of `request.signal` when the caller aborts.
 */
export async function performHttpRequest(
  integration: IntegrationConfig,
  connection: NangoConnection,
  request: HttpRequestInput,
  fetchImpl: typeof fetch = fetch,
): Promise<HttpResponse> {
  const method = normaliseMethod(request.method);
  const url = resolveUrl(integration, connection, request.endpoint);
  mergeQuery(url, renderAll(integration.queryParams, connection), request.params);
  const body = prepareBody(method, request.body);
  const headers = mergeHeaders(renderAll(integration.headers, connection), request.headers, body);
  return withTimeLimit(integration.httpTimeoutMs, request.signal, method, url, async (signal) => {
    const send = (hop: Hop): Promise<Response> =>
      fetchImpl(hop.url.href, {
        method: hop.method,
        headers: authorise(integration, connection, headers, hop),
        body: hop.body?.payload ?? null,
        redirect: 'manual',
        signal,
      });
    const last = await sendFollowingRedirects({ method, url, body }, send);
    return toHttpResponse(last.method, last.response);
  });
}

/** Runs `work` under the time limit and the caller's signal; messages name the request without its query string. */
async function withTimeLimit<T>(
  ms: number,
  callerSignal: AbortSignal | undefined,
  method: string,
  url: URL,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const where = `${method} ${url.origin}${url.pathname}`;
  // A timer of our own rather than AbortSignal.timeout, so it is cleared the moment the call ends.
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new DOMException('timed out', 'TimeoutError')), ms);
  try {
    return await work(callerSignal ? AbortSignal.any([timer.signal, callerSignal]) : timer.signal);
  } catch (err) {
    if (err instanceof WorkerError) throw err;
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (timer.signal.aborted) throw failed(`${where} timed out after ${ms} ms`, err);
    throw failed(`${where} failed: ${causeMessage(err, url)}`, err);
  } finally {
    clearTimeout(timeout);
  }
}

function failed(message: string, cause?: unknown): WorkerError {
  return new WorkerError('http_request_failed', message, cause === undefined ? undefined : { cause });
}

/** A request that can never succeed as asked: retrying it would not help, so it has its own code. */
function invalid(message: string, cause?: unknown): WorkerError {
  return new WorkerError('http_request_invalid', message, cause === undefined ? undefined : { cause });
}

function normaliseMethod(method: unknown): string {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!METHODS.has(upper)) {
    throw invalid(`httpRequest method ${String(method)} is not one of ${[...METHODS].join(', ')}`);
  }
  return upper;
}

function resolveUrl(integration: IntegrationConfig, connection: NangoConnection, endpoint: string): URL {
  if (typeof endpoint !== 'string') throw invalid(`httpRequest endpoint must be a string, not ${typeof endpoint}`);
  const { path } = integration.baseUrl;
  const base = parseUrl(renderTemplate(integration.baseUrl, connection), `${path} does not render to a valid URL`);
  if (!HTTP_PROTOCOLS.has(base.protocol)) throw invalid(`${path} must be an http or https URL`);
  const url = ABSOLUTE_ENDPOINT.test(endpoint)
    ? parseUrl(endpoint, 'httpRequest endpoint is not a valid URL', base)
    : joinEndpoint(base, endpoint);
  // Checked on the joined URL too, whatever the endpoint looked like: the origin decides who gets credentials.
  if (url.origin !== base.origin || !HTTP_PROTOCOLS.has(url.protocol)) {
    const target = url.origin === 'null' ? url.protocol : url.origin;
    const message = `httpRequest to ${target} refused: integration ${integration.name} only calls ${base.origin}`;
    throw new WorkerError('http_host_not_allowed', message);
  }
  return url;
}

/** `https://slack.com/api/` + `/chat.postMessage` → `https://slack.com/api/chat.postMessage`; base_url's query first. */
function joinEndpoint(base: URL, endpoint: string): URL {
  const rest = endpoint.replace(/^\/+/, '');
  if (rest === '') return new URL(base.href);
  const joined = `${base.origin}${base.pathname.replace(/\/+$/, '')}/${rest}`;
  const url = parseUrl(joined, 'httpRequest endpoint is not a valid URL');
  if (base.search !== '') url.search = new URLSearchParams([...base.searchParams, ...url.searchParams]).toString();
  return url;
}

/** No cause kept: the parser's error carries the text, which may hold a credential. */
function parseUrl(text: string, problem: string, base?: URL): URL {
  if (!URL.canParse(text, base?.href)) throw invalid(problem);
  return new URL(text, base);
}

function renderAll(templates: ReadonlyMap<string, Template>, connection: NangoConnection): [string, string][] {
  return [...templates].map(([name, template]) => [name, renderTemplate(template, connection)]);
}

/** Precedence, lowest first: configured query_params, the endpoint's own query string, the call's params. */
function mergeQuery(url: URL, configured: [string, string][], params: HttpParams | undefined): void {
  const merged = new URLSearchParams();
  for (const [name, value] of configured) merged.set(name, value);
  for (const name of new Set(url.searchParams.keys())) merged.delete(name);
  for (const [name, value] of url.searchParams) merged.append(name, value);
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined) merged.set(name, String(value));
  }
  url.search = merged.toString();
}

function prepareBody(method: string, body: unknown): PreparedBody | undefined {
  if (body === undefined || body === null) return undefined;
  if (method === 'GET' || method === 'HEAD') throw invalid(`httpRequest ${method} cannot send a body: use params`);
  if (typeof body === 'string') return { payload: body, contentType: 'text/plain;charset=UTF-8' };
  // Tags and isView rather than instanceof, which fails for values made in another realm (a vm context).
  if (ArrayBuffer.isView(body)) {
    return { payload: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: undefined };
  }
  if (tagOf(body) === 'ArrayBuffer') return { payload: new Uint8Array(body as ArrayBuffer), contentType: undefined };
  if (tagOf(body) === 'URLSearchParams') {
    return { payload: String(body), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch (err) {
    throw invalid(`httpRequest body cannot be sent as JSON: ${causeMessage(err)}`, err);
  }
  if (json === undefined) throw invalid(`httpRequest body cannot be sent as JSON: it is a ${typeof body}`);
  return { payload: json, contentType: 'application/json' };
}

function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value).slice('[object '.length, -1);
}

function mergeHeaders(
  configured: [string, string][],
  callHeaders: Record<string, string> | undefined,
  body: PreparedBody | undefined,
): Headers {
  const headers = new Headers();
  for (const [name, value] of configured) setHeader(headers, name, value);
  for (const [name, value] of Object.entries(callHeaders ?? {})) {
    if (value !== undefined && value !== null) setHeader(headers, name, String(value));
  }
  if (body?.contentType !== undefined && !headers.has('content-type')) headers.set('content-type', body.contentType);
  return headers;
}

/** undici's own error for a bad header quotes the value, maybe a credential: name the header only, keep no cause. */
function setHeader(headers: Headers, name: string, value: string): void {
  try {
    headers.set(name, value);
  } catch {
    throw invalid(`httpRequest header ${name} has a name or value that HTTP does not allow`);
  }
}

/** The headers of one hop, credentials added; OAuth 1 signs the hop's own method, URL and form body. */
function authorise(integration: IntegrationConfig, connection: NangoConnection, merged: Headers, hop: Hop): Headers {
  const headers = new Headers(merged);
  if (headers.has('authorization')) return headers;
  const credential = (field: string): string => readCredential(integration, connection, field);
  switch (integration.authMode) {
    case 'OAUTH2':
      setHeader(headers, 'authorization', `Bearer ${credential('access_token')}`);
      break;
    case 'USERNAME_PASSWORD': {
      const pair = Buffer.from(`${credential('username')}:${credential('password')}`, 'utf8').toString('base64');
      setHeader(headers, 'authorization', `Basic ${pair}`);
      break;
    }
    case 'OAUTH1':
      setHeader(headers, 'authorization', oauth1Header(integration, hop, headers, credential));
      break;
    case 'API_KEY':
      // integrations.yaml places ${api_key} in a header or query param template.
      break;
  }
  return headers;
}

function oauth1Header(integration: IntegrationConfig, hop: Hop, headers: Headers, credential: (f: string) => string) {
  const { clientId, clientSecret } = integration.oauth ?? {};
  if (!clientId || !clientSecret) {
    throw invalid(`integrations.${integration.name}.oauth needs a client_id and client_secret to sign OAUTH1 requests`);
  }
  // RFC 5849 section 3.4.1.3.1: only a form-encoded body's parameters are signed.
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(headers.get('content-type') ?? '');
  const payload = hop.body?.payload;
  return oauth1AuthorizationHeader({
    method: hop.method,
    url: hop.url.href,
    bodyParams: isForm && typeof payload === 'string' ? new URLSearchParams(payload) : undefined,
    consumerKey: clientId,
    consumerSecret: clientSecret,
    token: credential('oauth_token'),
    tokenSecret: credential('oauth_token_secret'),
  });
}

function readCredential(integration: IntegrationConfig, connection: NangoConnection, field: string): string {
  const { credentials } = connection;
  const value = Object.prototype.hasOwnProperty.call(credentials, field) ? credentials[field] : undefined;
  if (typeof value !== 'string' || value === '') {
    const mode = integration.authMode;
    throw invalid(`integration ${integration.name} (${mode}): this connection has no ${field} credential`);
  }
  return value;
}

async function sendFollowingRedirects(first: Hop, send: (hop: Hop) => Promise<Response>) {
  let hop = first;
  for (let redirects = 0; ; redirects++) {
    const response = await send(hop);
    const next = redirects < MAX_REDIRECTS ? redirectTarget(response, hop) : undefined;
    if (next === undefined) return { response, method: hop.method };
    await response.body?.cancel();
    hop = next;
  }
}

/** The next hop of a same-origin redirect, with fetch's method rules (303, and 301/302 after POST, become GET). */
function redirectTarget(response: Response, hop: Hop): Hop | undefined {
  const location = response.headers.get('location');
  if (!REDIRECT_STATUSES.has(response.status) || location === null) return undefined;
  const url = URL.canParse(location, hop.url.href) ? new URL(location, hop.url) : undefined;
  if (url === undefined || url.origin !== hop.url.origin) return undefined;
  const { status } = response;
  const toGet = (status === 303 && hop.method !== 'HEAD') || ((status === 301 || status === 302) && hop.method === 'POST');
  return toGet ? { method: 'GET', url, body: undefined } : { method: hop.method, url, body: hop.body };
}

async function toHttpResponse(method: string, response: Response): Promise<HttpResponse> {
  const headers = new Map<string, string>();
  for (const [name, value] of response.headers) {
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  let body: unknown = '';
  if (method === 'HEAD' || response.status === 204 || response.status === 304) {
    await response.body?.cancel();
  } else {
    body = parseBody(await response.text(), headers.get('content-type'));
  }
  const { ok, status, statusText } = response;
  // fromEntries defines own properties, so a `__proto__` response header stays a plain key.
  return { ok, status, statusText, headers: Object.fromEntries(headers), body };
}

function parseBody(text: string, contentType: string | undefined): unknown {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (text === '' || (mime !== 'application/json' && !mime.endsWith('+json'))) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * undici reports network errors as `TypeError('fetch failed')` with the useful part in `cause`. The URL's query
 * string is cut out in case the message quotes it: it may hold an api_key.
 */
function causeMessage(err: unknown, url?: URL): string {
  const cause = isErrorLike(err) && isErrorLike(err.cause) ? err.cause : err;
  const message = isErrorLike(cause) ? cause.message || String(cause.code ?? cause.name) : String(cause);
  return url === undefined || url.search === '' ? message : message.split(url.search).join('?…');
}

/** Duck-typed, not instanceof: fetch's errors may come from another realm (a vm context, as under jest). */
function isErrorLike(value: unknown): value is { message: string; name?: unknown; code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
