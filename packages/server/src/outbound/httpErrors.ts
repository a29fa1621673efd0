import { WorkerError } from '../errors';

/** A request that can never succeed as asked: retrying it would not help, so it has its own code. */
export function invalid(message: string, cause?: unknown): WorkerError {
  return new WorkerError('http_request_invalid', message, cause === undefined ? undefined : { cause });
}

/** A request that was sent, or tried to be, and got no response: a timeout or a network error. */
export function failed(message: string, cause?: unknown): WorkerError {
  return new WorkerError('http_request_failed', message, cause === undefined ? undefined : { cause });
}

/**
 * undici reports network errors as `TypeError('fetch failed')` with the useful part in `cause`. The URL's query
 * string is cut out in case the message quotes it: it may hold an api_key.
 */
export function causeMessage(err: unknown, url?: URL): string {
  const cause = innerCause(err);
  const message = isErrorLike(cause) ? cause.message || String(cause.code ?? cause.name) : String(cause);
  return url === undefined || url.search === '' ? message : message.split(url.search).join('?…');
}

/**
 * Only the code of a network error (`ECONNREFUSED`, `ENOTFOUND`), or its name: for a URL rendered from a
 * Connection's values, whose messages (`getaddrinfo ENOTFOUND <host>`) would quote them.
 */
export function causeCode(err: unknown): string {
  const cause = innerCause(err);
  if (!isErrorLike(cause)) return 'unknown error';
  return typeof cause.code === 'string' && cause.code !== '' ? cause.code : String(cause.name ?? 'Error');
}

function innerCause(err: unknown): unknown {
  return isErrorLike(err) && isErrorLike(err.cause) ? err.cause : err;
}

/** Duck-typed, not instanceof: fetch's errors may come from another realm (a vm context, as under jest). */
function isErrorLike(value: unknown): value is { message: string; name?: unknown; code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
