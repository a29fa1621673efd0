import { NangoError, parseRetryAfter } from './NangoError';

/** One request to the server. */
export interface HttpRequest {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  /** Serialised as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** A body sent as it is (the proxy's). */
  body?: NonNullable<RequestInit['body']>;
  /** `Content-Type: application/json` without a body, as the official SDK sends on some GETs. */
  jsonContentType?: boolean;
  signal?: AbortSignal;
}

/** The parts of the client every call needs. */
export interface HttpSettings {
  host: string;
  key: string;
  userAgent: string;
}

/**
 * Sends one request with the platform fetch: `Authorization: Bearer <key>`, the user agent, and axios' Accept
 * header (so the server sees what the official SDK sends). Never throws for an HTTP status.
 * @throws NangoError `network_error`, `aborted`
 */
export async function send(settings: HttpSettings, request: HttpRequest): Promise<Response> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/plain, */*',
    'user-agent': settings.userAgent,
    ...request.headers,
    authorization: `Bearer ${settings.key}`,
  };
  let body = request.body;
  if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers['content-type'] = 'application/json';
  } else if (request.jsonContentType) {
    headers['content-type'] = 'application/json';
  }
  try {
    return await fetch(`${settings.host}${request.path}`, {
      method: request.method,
      headers,
      ...(body !== undefined && { body, duplex: 'half' }),
      ...(request.signal && { signal: request.signal }),
    } as RequestInit);
  } catch (error) {
    if (request.signal?.aborted) {
      throw new NangoError({ code: 'aborted', message: `${request.method} ${pathOnly(request.path)} was aborted`, cause: error });
    }
    throw new NangoError({
      code: 'network_error',
      message: `${request.method} ${pathOnly(request.path)}: could not reach ${settings.host} (${(error as Error).message})`,
      cause: error,
    });
  }
}

/**
 * Sends a request and reads its JSON answer (undefined for an empty body).
 * @throws NangoError with the server's error code, `http_error`, `network_error`, `aborted`
 */
export async function requestJson<T>(settings: HttpSettings, request: HttpRequest): Promise<T> {
  const response = await send(settings, request);
  const text = await response.text();
  const data = parseBody(text);
  if (!response.ok) throw errorOf(request, response, data);
  return data as T;
}

/** The answer's headers as a plain object, lower-case names. */
export function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/** JSON when it parses, the text otherwise, undefined when empty. */
export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The NangoError for a non-2xx answer: the server's `{ error: { code, message } }` (or the older `{ error: '…' }`),
 * else `http_error`; the status, Retry-After and body on it.
 */
export function errorOf(request: Pick<HttpRequest, 'method' | 'path'>, response: Response, data: unknown): NangoError {
  const error = (data as { error?: unknown } | undefined)?.error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'http_error';
  const serverMessage =
    typeof (error as { message?: unknown })?.message === 'string'
      ? (error as { message: string }).message
      : typeof error === 'string'
        ? error
        : undefined;
  return new NangoError({
    code,
    status: response.status,
    message: serverMessage ?? `${request.method} ${pathOnly(request.path)} answered ${response.status}`,
    retryAfter: parseRetryAfter(response.headers.get('retry-after')),
    data,
    headers: headersOf(response),
  });
}

/** The path without its query string: messages never carry query values. */
function pathOnly(path: string): string {
  const index = path.indexOf('?');
  return index === -1 ? path : path.slice(0, index);
}
