import { withRetries, type RetryPolicy } from './functionRetries';
import type { HttpMethod, HttpParams, HttpResponse } from './http';
import type { NangoAction } from './NangoAction';
import type { PaginateConfig } from './paginate';

/**
 * A request as Nango's functions make it (`nango.get({ endpoint, params })`, `nango.proxy({ method, … })`), with
 * Nango's options: `retries` / `retryOn` / `retryHeader` (see functionRetries), `baseUrlOverride`, `responseType`
 * and, for `paginate`, `paginate`.
 */
export interface ProxyConfiguration extends RetryPolicy {
  endpoint: string;
  method?: string;
  /** A query string (`a=1&b=2`) or an object; a list value is sent joined with commas. */
  params?: string | Record<string, string | number | boolean | readonly (string | number)[] | null | undefined>;
  data?: unknown;
  headers?: Record<string, string>;
  /**
   * A base URL to join `endpoint` to instead of the integration's: the worker's host checks still apply, so only
   * a URL on the host of the integration's base_url (or one its checks allow) is reached; another is refused with
   * `http_host_not_allowed`.
   */
  baseUrlOverride?: string | undefined;
  /** `json` (default: the body parsed when the response says it is JSON, else its text) or `text` (always the text). */
  responseType?: string | undefined;
  /** Accepted and ignored: responses are always decompressed. */
  decompress?: boolean | string | undefined;
  /** Only the run's own Connection: another one is refused (a function's requests carry its Connection's credentials). */
  providerConfigKey?: string | undefined;
  connectionId?: string | undefined;
  /** For `paginate`: overrides (field by field) the provider's `proxy.paginate`; `limit` may be text. */
  paginate?: Partial<Omit<PaginateConfig, 'limit'> & { limit: number | string; on_page: OnPage }> | undefined;
}

/** Nango's `paginate.on_page`: told each page's response and where the next one is. */
export type OnPage = (state: { nextPageParam?: string | number | undefined; response: ProxyResponse }) => Promise<void>;

/** What Nango's HTTP helpers resolve with (axios's shape): `data` is the parsed body. */
export interface ProxyResponse<T = unknown> {
  data: T;
  status: number;
  statusText: string;
  headers: Record<string, string>;
}

/** A ProxyConfiguration checked and turned into httpRequest's arguments. */
export interface PreparedRequest {
  endpoint: string;
  method: HttpMethod;
  params: HttpParams | undefined;
  data: unknown;
  headers: Record<string, string> | undefined;
  text: boolean;
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Checks a function's request and turns it into httpRequest's arguments.
 * @param what the call, for messages (`nango.proxy`, `nango.paginate`)
 * @throws Error naming the option that is wrong
 */
export function prepareRequest(action: NangoAction<unknown, unknown>, config: ProxyConfiguration, what: string): PreparedRequest {
  if (typeof config !== 'object' || config === null) throw new Error(`${what}: takes an object ({ endpoint, … })`);
  if (typeof config.endpoint !== 'string' || config.endpoint === '') {
    throw new Error(`${what}: endpoint must be a non-empty string (a path such as '/users'), got ${typeof config.endpoint}`);
  }
  const method = (config.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new Error(`${what}: method '${config.method}' is not one of GET, POST, PUT, PATCH, DELETE`);
  const own = action.getCurrentConnection();
  const otherKey = config.providerConfigKey !== undefined && config.providerConfigKey !== own.integration;
  if (otherKey || (config.connectionId !== undefined && config.connectionId !== own.userId)) {
    throw new Error(
      `${what}: providerConfigKey '${config.providerConfigKey ?? own.integration}' and connectionId ` +
        `'${config.connectionId ?? own.userId}' name another Connection: a function's requests go out with its own Connection only`,
    );
  }
  const responseType = config.responseType ?? 'json';
  if (responseType !== 'json' && responseType !== 'text') {
    throw new Error(
      `${what}: responseType '${responseType}' is not supported here: responses reach a function as 'json' or 'text'`,
    );
  }
  return {
    endpoint: joinBase(config.baseUrlOverride, config.endpoint, what),
    method: method as HttpMethod,
    params: paramsOf(config.params),
    data: config.data,
    headers: config.headers,
    text: responseType === 'text',
  };
}

/**
 * Sends a prepared request through the worker, with the configuration's retries, and answers in axios's shape; a
 * status outside 2xx throws, with `response` on the error, as axios does.
 */
export async function sendRequest(
  action: NangoAction<unknown, unknown>,
  request: PreparedRequest,
  policy: RetryPolicy,
): Promise<ProxyResponse> {
  const res = await sendWithRetries(action, request, policy);
  const response = toProxyResponse(res, request.text);
  if (!res.ok) {
    throw Object.assign(new Error(`Request failed with status code ${res.status}`), { name: 'AxiosError', response });
  }
  return response;
}

/** httpRequest with the policy's retries, each retry a warn line of the run's log. */
export function sendWithRetries(
  action: NangoAction<unknown, unknown>,
  request: Pick<PreparedRequest, 'endpoint' | 'method' | 'params' | 'data' | 'headers'>,
  policy: RetryPolicy,
): Promise<HttpResponse> {
  const { endpoint, method, params, data, headers } = request;
  return withRetries(() => action.httpRequest(endpoint, method, params, data, headers), policy, {
    signal: action.signal,
    onRetry: (attempt, reason, delayMs) =>
      action.logger.warn(`${method} ${endpoint}: ${reason}; retry ${attempt} of ${policy.retries ?? 0} in ${delayMs} ms`),
  });
}

/** Our HttpResponse in axios's shape: `data` the parsed body (or its text). */
export function toProxyResponse(res: HttpResponse, text = false): ProxyResponse {
  return { data: text ? res.data : res.body, status: res.status, statusText: res.statusText, headers: res.headers };
}

function joinBase(base: string | undefined, endpoint: string, what: string): string {
  if (base === undefined || base === '') return endpoint;
  if (!/^https?:\/\/[^/]/i.test(base)) throw new Error(`${what}: baseUrlOverride must be an http:// or https:// URL`);
  return `${base.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
}

function paramsOf(params: ProxyConfiguration['params']): HttpParams | undefined {
  if (params === undefined || params === null) return undefined;
  if (typeof params === 'string') return Object.fromEntries(new URLSearchParams(params));
  const out: HttpParams = {};
  for (const [name, value] of Object.entries(params))
    out[name] = Array.isArray(value) ? value.join(',') : (value as HttpParams[string]);
  return out;
}
