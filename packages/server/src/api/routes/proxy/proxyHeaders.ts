import type { IncomingHttpHeaders } from 'node:http';
import { MAX_CONNECTION_ID_LENGTH } from '@nangohq/protocol';
import { apiError } from '../../ApiError';

/** What the caller asks of one proxy call through the control headers (contract C.3.2). */
export interface ProxyControl {
  readonly connectionId: string;
  readonly integration: string;
  /** How many times a failed call is sent again. Default: 0. */
  readonly retries: number;
  /** Statuses retried besides 5xx and 429. */
  readonly retryOn: ReadonlySet<number>;
  /** Replaces the integration's base_url; undefined when absent or ''. */
  readonly baseUrlOverride: string | undefined;
  /** Decode a gzip/deflate/br reply before passing it on. Default: false (passed as it came, Content-Encoding kept). */
  readonly decompress: boolean;
}

/** More would only hammer a provider: Nango's SDKs send small numbers. */
const MAX_RETRIES = 10;
const PREFIX = 'nango-proxy-';

/** Our own headers, never forwarded upstream, whatever their form. */
const CONTROL = new Set([
  'connection-id',
  'provider-config-key',
  'retries',
  'retry-on',
  'base-url-override',
  'nango-activity-log-id',
  'decompress',
  'forward-headers-on-redirect',
  'authorization', // our secret key
]);

/** RFC 9110 7.6.1 hop-by-hop headers, and what the next hop computes itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/**
 * Reads the control headers.
 * @throws WorkerError `invalid_request` for a missing Connection-Id or Provider-Config-Key, or a Retries, Retry-On or
 *   Base-Url-Override that does not parse, naming the header
 */
export function readControl(headers: IncomingHttpHeaders): ProxyControl {
  const connectionId = required(headers, 'connection-id', 'Connection-Id');
  if ([...connectionId].length > MAX_CONNECTION_ID_LENGTH) {
    throw apiError('invalid_request', `The Connection-Id header is longer than ${MAX_CONNECTION_ID_LENGTH} characters`);
  }
  const integration = required(headers, 'provider-config-key', 'Provider-Config-Key');
  const retriesText = one(headers, 'retries')?.trim() ?? '';
  // Decimal digits only: Number() would also take `Infinity`, `1e3`, `0x10` and ` `.
  if (retriesText !== '' && !/^\d+$/.test(retriesText)) {
    throw apiError(
      'invalid_request',
      `The Retries header must be a whole number of retries, 0 or more (more than ${MAX_RETRIES} count as ${MAX_RETRIES}), not ${JSON.stringify(retriesText.slice(0, 32))}`,
    );
  }
  const retries = retriesText === '' ? 0 : Number(retriesText);
  const retryOn = new Set<number>();
  for (const item of (one(headers, 'retry-on') ?? '').split(',')) {
    const text = item.trim();
    if (text === '') continue;
    const status = /^\d{3}$/.test(text) ? Number(text) : NaN;
    if (!(status >= 100 && status <= 599)) {
      throw apiError(
        'invalid_request',
        `The Retry-On header must list HTTP statuses from 100 to 599 separated by commas, not ${JSON.stringify(text.slice(0, 32))}`,
      );
    }
    retryOn.add(status);
  }
  const override = one(headers, 'base-url-override')?.trim() ?? '';
  if (override !== '' && !/^https?:\/\//i.test(override)) {
    throw apiError('invalid_request', 'The Base-Url-Override header must be an http or https URL');
  }
  return {
    connectionId,
    integration,
    retries: Math.min(retries, MAX_RETRIES),
    retryOn,
    baseUrlOverride: override === '' ? undefined : override,
    decompress: /^true$/i.test(one(headers, 'decompress') ?? ''),
  };
}

/**
 * The caller's headers to send upstream: those prefixed `Nango-Proxy-` (any case), prefix stripped; or, when the
 * request carries none (the SDKs before 0.18 sent them bare), every header that is not ours or hop-by-hop. Either way
 * the caller's Authorization (our secret key) is never among them; `Nango-Proxy-Authorization` is, on purpose.
 * Content-Type also travels bare (the official SDK sends it both ways), so it is kept unless a prefixed one is given.
 */
export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const names = Object.keys(headers);
  const prefixed = names.some((name) => name.startsWith(PREFIX));
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (prefixed) {
      if (name.startsWith(PREFIX) && name.length > PREFIX.length) out[name.slice(PREFIX.length)] = text;
    } else if (!CONTROL.has(name) && !HOP_BY_HOP.has(name) && !name.startsWith('nango-')) {
      out[name] = text;
    }
  }
  const contentType = headers['content-type'];
  if (prefixed && contentType !== undefined && !('content-type' in out)) out['content-type'] = contentType;
  for (const name of Object.keys(out)) if (HOP_BY_HOP.has(name)) delete out[name];
  return out;
}

/** The upstream reply's headers to pass back: hop-by-hop ones (and those its Connection header names) and CORS ones removed. */
export function replyHeaders(
  upstream: Record<string, string | string[] | undefined>,
  decompressed: boolean,
): Record<string, string | string[]> {
  const named = String(upstream['connection'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'content-length') || named.includes(name)) continue;
    if (name.startsWith('access-control-')) continue;
    if (decompressed && (name === 'content-encoding' || name === 'content-length')) continue;
    out[name] = value;
  }
  return out;
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function required(headers: IncomingHttpHeaders, name: string, display: string): string {
  const value = one(headers, name)?.trim() ?? '';
  if (value === '') throw apiError('invalid_request', `The ${display} header is required`);
  return value;
}
