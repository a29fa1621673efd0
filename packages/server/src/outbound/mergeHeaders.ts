import { invalid } from './httpErrors';
import type { PreparedBody } from './prepareBody';

/**
 * The headers of a call, before credentials: configured ones, then the call's own (names are case-insensitive,
 * so a call header replaces a configured one), then the body's content-type unless one is set already.
 *
 * @throws WorkerError `http_request_invalid` for a header name or value HTTP does not allow
 */
export function mergeHeaders(
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

/**
 * undici's own error for a bad header quotes the value, maybe a credential: name the header only, keep no cause.
 * @throws WorkerError `http_request_invalid`
 */
export function setHeader(headers: Headers, name: string, value: string): void {
  try {
    headers.set(name, value);
  } catch {
    throw invalid(`httpRequest header ${name} has a name or value that HTTP does not allow`);
  }
}
