import { addressRefusal, guardedFetchOptions } from '../net/addressGuard';
import { inHttpClientSpan } from '../tracing/inHttpClientSpan';
import { scrubSecrets } from './scrubSecrets';
import { parseJsonObject } from '../parseJsonObject';

/**
 * How a call to the token endpoint failed, which decides what the refresher does next:
 * - `rejected`: the provider refused the grant itself (revoked or expired refresh token): only the user can fix it.
 * - `transient`: timeout, network error, 408, 429 or 5xx: worth retrying.
 * - `refused`: any other refusal (bad client credentials, wrong URL, unreadable answer): retrying will not help,
 *   and neither will the user; the integration's configuration or the provider is at fault.
 */
export type TokenFailureKind = 'rejected' | 'transient' | 'refused';

/** A failed token request. Its message names the HTTP status and the provider's error, never a token or secret. */
export class TokenEndpointError extends Error {
  constructor(
    readonly kind: TokenFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenEndpointError';
  }
}

/** Everything one refresh-token grant request needs. */
export interface TokenRequest {
  readonly tokenUrl: string;
  readonly clientId: string;
  /** Undefined for a public client (RFC 6749 2.1): with clientAuth 'body', only client_id is sent. */
  readonly clientSecret: string | undefined;
  /** 'body': client_id and client_secret as form fields; 'basic': an HTTP Basic Authorization header. */
  readonly clientAuth: 'body' | 'basic';
  readonly refreshToken: string;
  /** Never sent; only scrubbed, with the other secrets here, from the provider's error text (which may echo it). */
  readonly accessToken: string | undefined;
  readonly timeoutMs: number;
  /** More form fields, such as RFC 8707's `resource` (MCP OAuth); the grant's own fields win over these. */
  readonly extraParams?: Readonly<Record<string, string>>;
  /** Send through the address guard (net/addressGuard.ts): a token URL whose host a user chose. */
  readonly guard?: { readonly allowPrivate: boolean } | undefined;
}

/** The retry policy for transient failures. */
export interface RetryPolicy {
  /** Calls to the token endpoint in all, first one included. */
  readonly attempts: number;
  /** Pause before the first retry; doubled before each next one, plus up to 50% random jitter. */
  readonly backoffMs: number;
}

/**
 * A token request (the refresh-token grant of RFC 6749 section 6, or an auth mode's own, see AuthModeHandler.grant),
 * retried with backoff while it fails transiently. `mayCall` is asked right before every call: the refresher checks
 * (and renews) its lock there, so that a refresh token is never spent by a worker that no longer holds it. `onRetry`
 * is told of each retry (its number, the failure, the pause).
 * @returns the provider's token response, a JSON object; undefined when `mayCall` said no
 * @throws TokenEndpointError of the last attempt, or whatever `mayCall` throws
 */
export async function requestTokenWithRetries(
  request: () => Promise<Record<string, unknown>>,
  policy: RetryPolicy,
  mayCall: () => boolean | Promise<boolean> = () => true,
  onRetry?: (retry: number, error: TokenEndpointError, pauseMs: number) => void,
): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 1; ; attempt++) {
    if (!(await mayCall())) return undefined;
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof TokenEndpointError) || error.kind !== 'transient' || attempt >= policy.attempts) throw error;
      const pause = policy.backoffMs * 2 ** (attempt - 1);
      const pauseMs = Math.round(pause + Math.random() * pause * 0.5);
      onRetry?.(attempt, error, pauseMs);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/**
 * One POST of the refresh-token grant, form-encoded, with a time limit.
 * @throws TokenEndpointError
 */
export async function requestToken(request: TokenRequest): Promise<Record<string, unknown>> {
  const body = new URLSearchParams({ ...request.extraParams, grant_type: 'refresh_token', refresh_token: request.refreshToken });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json', // some providers (GitHub) answer form-encoded unless asked for JSON
  };
  if (request.clientAuth === 'basic') {
    // RFC 6749 2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
    const pair = `${formEncode(request.clientId)}:${formEncode(request.clientSecret ?? '')}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    body.set('client_id', request.clientId);
    if (request.clientSecret !== undefined) body.set('client_secret', request.clientSecret);
  }
  const { status, text } = await postToTokenEndpoint(request.tokenUrl, {
    headers,
    body,
    timeoutMs: request.timeoutMs,
    guard: request.guard,
    kind: 'refresh',
  });
  return readTokenResponse(status, text, [request.refreshToken, request.accessToken, request.clientSecret, request.clientId]);
}

/** Errors (RFC 6749 5.2, and what some providers send instead) that mean the grant itself is dead. */
const REJECTED_GRANT_ERRORS = new Set(['invalid_grant', 'unauthorized_client', 'invalid_token']);

/** Statuses worth another try: the provider is busy, down or slow, not refusing. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Turns the token endpoint's answer into the token response, or into the failure it describes, with every echo of
 * `secrets` in the provider's error text (as sent, encoded or in part: see scrubSecrets) replaced by '[redacted]'.
 * That text is quoted to callers, logged and stored on the Connection.
 * @throws TokenEndpointError
 */
export function readTokenResponse(
  status: number,
  text: string,
  secrets: readonly (string | undefined)[] = [],
): Record<string, unknown> {
  const json = parseJsonObject(text);
  if (status >= 200 && status < 300) {
    if (typeof json?.['access_token'] === 'string' && json['access_token'] !== '') return json;
    throw new TokenEndpointError('refused', `HTTP ${status} without an access_token in a JSON object`);
  }
  const error = typeof json?.['error'] === 'string' ? json['error'] : undefined;
  const description = typeof json?.['error_description'] === 'string' ? json['error_description'] : undefined;
  // Scrubbed before it is cut: a secret cut in half would no longer match, and half of it would leak. A NUL is
  // written out (the reason is stored on the Connection, and PostgreSQL text cannot hold one).
  const reason = scrubSecrets([error, description].filter(Boolean).join(': '), secrets)
    .slice(0, MAX_REASON_LENGTH)
    .replaceAll('\u0000', '\\u0000');
  const message = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
  if (isTransientStatus(status)) throw new TokenEndpointError('transient', message);
  if ((status === 400 || status === 401) && error !== undefined && REJECTED_GRANT_ERRORS.has(error)) {
    throw new TokenEndpointError('rejected', reason);
  }
  throw new TokenEndpointError('refused', message);
}

/** The provider's reason is quoted to callers and stored on the Connection; a long HTML page is not a reason. */
const MAX_REASON_LENGTH = 300;

/** What went wrong, without the request: its body holds the refresh token and maybe the client secret. */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return `could not reach the token endpoint${detail ? ` (${detail})` : ''}`;
}

/** application/x-www-form-urlencoded encoding of one value (space as '+'). */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * One POST to a token endpoint: its status and body text. The span shows `shown` (default: `url`), never a query that
 * may hold a secret.
 * @param init.guard set when the URL's host came from a user's value: the request passes the address guard
 * @throws TokenEndpointError `refused` when the address guard refuses the host, `transient` when the request fails
 */
export async function postToTokenEndpoint(
  url: string | URL,
  init: {
    headers: Record<string, string>;
    body: string | URLSearchParams | undefined;
    timeoutMs: number;
    guard: { readonly allowPrivate?: boolean } | undefined;
    kind: string;
    shown?: string;
  },
): Promise<{ status: number; text: string }> {
  try {
    const guard = init.guard ? guardedFetchOptions(new URL(url), init.guard.allowPrivate) : {};
    const signal = AbortSignal.timeout(init.timeoutMs);
    const send = () => fetch(url, { ...guard, method: 'POST', headers: init.headers, body: init.body, signal });
    const response = await inHttpClientSpan('POST', init.shown ?? String(url), send, { 'nango.token_request': init.kind });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    const refusal = addressRefusal(error);
    if (refusal) throw new TokenEndpointError('refused', refusal.message, { cause: refusal });
    throw new TokenEndpointError('transient', describeFetchError(error, init.timeoutMs), { cause: error });
  }
}
