/**
 * The dashboard's one door to the server: the public HTTP API, same origin, authenticated by the session cookie that
 * `POST /dashboard/session` sets (HttpOnly: this code never sees it). Every change carries the session's CSRF token
 * in `X-CSRF-Token`. An error reply becomes an ApiError with the server's code and message; a 401 sends the browser
 * to the sign-in page (the session ended or was never there).
 */

/** The server's error, as every route sends it: `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly operationId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A query string's values: undefined and empty strings are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** Set by the session (after sign-in, or when the page loads signed in). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a reply says the session is gone (401). */
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface Reply<T> {
  body: T;
  status: number;
  /** X-Nango-Operation-Id, when the route recorded an operation. */
  operationId: string | null;
}

/** One request; resolves with the parsed body (undefined for 204), rejects with ApiError. */
export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The server did not answer: is it running?');
  }
  const operationId = response.headers.get('x-nango-operation-id');
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : `The server answered ${response.status}`;
    if (response.status === 401 && !path.startsWith('/dashboard/session')) onSignedOut?.();
    throw new ApiError(response.status, code, message, operationId);
  }
  return { body: parsed as T, status: response.status, operationId };
}

export const get = async <T>(path: string, query?: Query): Promise<T> => (await request<T>('GET', path, { query })).body;
