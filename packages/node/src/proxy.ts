import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { errorOf, headersOf, parseBody, send, type HttpRequest, type HttpSettings } from './http';
import { NangoError } from './NangoError';
import type { ProxyConfiguration, ProxyResponse } from './types';

/**
 * The request the official SDK 0.71 sends for a proxy call (contract C.3.2): `/proxy` + endpoint, `params` set on the
 * query, `Connection-Id`, `Provider-Config-Key`, `Base-Url-Override` ('' = the provider's), `Nango-Activity-Log-Id`
 * (''), the caller's headers as `Nango-Proxy-<name>` (and its Content-Type also as it is), `Retries` when > 0,
 * `Retry-On`, `Decompress` and `Forward-Headers-On-Redirect` when true; the body for every method that has one, DELETE included.
 * @throws NangoError `invalid_argument`
 */
export function proxyRequest(config: ProxyConfiguration): HttpRequest {
  for (const field of ['endpoint', 'providerConfigKey', 'connectionId'] as const) {
    if (typeof config[field] !== 'string') {
      throw new NangoError({ code: 'invalid_argument', message: `${field} is missing and is required to make a proxy call` });
    }
  }
  const method = (config.method ?? 'GET').toUpperCase();
  const path = proxyPath(config);
  const headers: Record<string, string> = {
    'Connection-Id': config.connectionId,
    'Provider-Config-Key': config.providerConfigKey,
    'Base-Url-Override': config.baseUrlOverride ?? '',
    'Nango-Activity-Log-Id': '',
  };
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    headers[`Nango-Proxy-${name}`] = value;
    if (name.toLowerCase() === 'content-type') headers['Content-Type'] = value;
  }
  if (config.retries) headers['Retries'] = String(config.retries);
  if (config.decompress) headers['Decompress'] = 'true';
  if (config.retryOn) headers['Retry-On'] = config.retryOn.join(',');
  // The official SDK sets it to the boolean, which axios drops when false: only `true` reaches the wire.
  if (config.forwardHeadersOnRedirect) headers['Forward-Headers-On-Redirect'] = 'true';
  const request: HttpRequest = { method, path, headers };
  const hasBody = config.data !== undefined && config.data !== null && method !== 'GET' && method !== 'HEAD';
  if (hasBody) Object.assign(request, bodyOf(config.data, headers));
  return request;
}

/** Sends a proxy call and reads the API's answer by `responseType`. @throws NangoError (status ≥ 400: `http_error` or the server's code) */
export async function sendProxy<T>(settings: HttpSettings, config: ProxyConfiguration): Promise<ProxyResponse<T>> {
  const request = proxyRequest(config);
  const response = await send(settings, request);
  if (!response.ok) throw errorOf(request, response, parseBody(await response.text()));
  const base = { status: response.status, statusText: response.statusText, headers: headersOf(response) };
  return { ...base, data: (await readData(response, config.responseType ?? 'json')) as T };
}

/**
 * `/proxy` + endpoint with `params`: an object's entries set one by one on the URL's query (replacing the endpoint's
 * own value of the same name), or a string appended (refused when the endpoint already has a query).
 */
function proxyPath(config: ProxyConfiguration): string {
  const { params, endpoint } = config;
  const path = `/proxy${endpoint.startsWith('/') ? '' : '/'}${endpoint}`;
  if (params === undefined) return path;
  if (typeof params === 'string') {
    if (endpoint.includes('?')) {
      throw new NangoError({ code: 'invalid_argument', message: 'Can not set query params in endpoint and in params' });
    }
    return `${path}${params.startsWith('?') ? params : `?${params}`}`;
  }
  const url = new URL(path, 'http://placeholder');
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
  return `${url.pathname}${url.search}`;
}

/** The body as axios would send it: objects as JSON, strings as form-encoded text, bytes and streams as they are. */
function bodyOf(data: unknown, headers: Record<string, string>): Pick<HttpRequest, 'body'> {
  const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (typeof data === 'string') {
    if (!hasType) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return { body: data };
  }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data) || data instanceof Blob || data instanceof URLSearchParams) {
    return { body: data as Exclude<HttpRequest['body'], undefined> };
  }
  if (data instanceof Readable) {
    return { body: Readable.toWeb(data) as unknown as Exclude<HttpRequest['body'], undefined> };
  }
  if (!hasType) headers['Content-Type'] = 'application/json';
  return { body: JSON.stringify(data) };
}

/** The answer's body by responseType (see ProxyResponse). */
async function readData(response: Response, responseType: NonNullable<ProxyConfiguration['responseType']>): Promise<unknown> {
  switch (responseType) {
    case 'stream':
      return response.body ? Readable.fromWeb(response.body as unknown as NodeWebReadableStream) : Readable.from([]);
    case 'arraybuffer':
      return response.arrayBuffer();
    case 'blob':
      return response.blob();
    case 'text':
    case 'document':
      return response.text();
    case 'json':
      return parseBody(await response.text());
  }
}
