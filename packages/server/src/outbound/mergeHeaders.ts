import type { HeaderPrecedence } from '../config/types';
import { invalid } from './httpErrors';
import type { PreparedBody } from './prepareBody';

/**
 * The headers of a call, before credentials. With precedence 'call' (the default): configured ones, then the
 * call's own (names are case-insensitive, so a call header replaces a configured one), then the body's
 * content-type unless one is set already. With 'configured', the 2022 product's order: the call's headers, then
 * the configured ones over them, then a JSON body's content-type over both.
 *
 * @throws WorkerError `http_request_invalid` for a header name or value HTTP does not allow
 */
export function mergeHeaders(
  configured: readonly [string, string][],
  callHeaders: Record<string, string> | undefined,
  body: PreparedBody | undefined,
  precedence: HeaderPrecedence = 'call',
): Headers {
  const headers = new Headers();
  const call = Object.entries(callHeaders ?? {}).filter(([, value]) => value !== undefined && value !== null);
  const layers = precedence === 'configured' ? [call, configured] : [configured, call];
  for (const layer of layers) for (const [name, value] of layer) setHeader(headers, name, String(value));
  const contentType = body?.contentType;
  const bodyWins = precedence === 'configured' && contentType === 'application/json';
  if (contentType !== undefined && (bodyWins || !headers.has('content-type'))) headers.set('content-type', contentType);
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
