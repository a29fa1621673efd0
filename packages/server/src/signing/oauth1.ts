/**
 * OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849 sections 3.4 and 3.5.1) or HMAC-SHA256, the same algorithm
 * with SHA-256 (NetSuite's token-based authentication requires it, and refuses HMAC-SHA1).
 *
 * Written by hand on node:crypto rather than taken from npm: the packages that do this (`oauth-1.0a`, `oauth`,
 * `oauth-sign`) are unmaintained, and the whole algorithm is about fifty lines we can test against published
 * examples. Only the Authorization-header form is produced; PLAINTEXT and RSA-SHA1 are not offered.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** The signature methods offered: HMAC over the base string, keyed by the two secrets. */
export type OAuth1SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';

/** node:crypto's name of each method's hash. */
const HASH_OF: Readonly<Record<OAuth1SignatureMethod, string>> = { 'HMAC-SHA1': 'sha1', 'HMAC-SHA256': 'sha256' };

/** Everything that goes into one signed request. */
export interface OAuth1SignInput {
  /** HTTP method, any case. */
  readonly method: string;
  /** The full request URL, query string included. */
  readonly url: string;
  /** The body's parameters when it is `application/x-www-form-urlencoded`; other bodies are never signed. */
  readonly bodyParams?: URLSearchParams | undefined;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly token: string;
  readonly tokenSecret: string;
  /** Default: HMAC-SHA1. */
  readonly signatureMethod?: OAuth1SignatureMethod | undefined;
  /**
   * The `realm` put first in the header (RFC 5849 section 3.5.1): never signed. NetSuite wants its account id there.
   * Default: none.
   */
  readonly realm?: string | undefined;
  /** Default: 32 random hex characters. Injectable so tests can reproduce published signatures. */
  readonly nonce?: string | undefined;
  /** Seconds since the epoch. Default: now. */
  readonly timestamp?: number | string | undefined;
}

/**
 * Percent-encodes per RFC 5849 section 3.6 (RFC 3986 unreserved characters stay as they are).
 * encodeURIComponent leaves `!'()*` alone, which RFC 3986 reserves, so those are encoded too.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The signature base string of RFC 5849 section 3.4.1: method, base string URI (no query, no fragment, no
 * default port) and the normalised parameters (`params` plus the query string's), each part encoded.
 * `params` are decoded name/value pairs; duplicates are kept, as the RFC requires.
 */
export function oauth1BaseString(method: string, url: string, params: Iterable<readonly [string, string]>): string {
  const parsed = new URL(url);
  // WHATWG URL already lower-cases scheme and host and drops a default port, as section 3.4.1.2 asks.
  const baseUri = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const pairs = [...parsed.searchParams, ...params]
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([n1, v1], [n2, v2]) => compare(n1, n2) || compare(v1, v2))
    .map(([name, value]) => `${name}=${value}`);
  return [method.toUpperCase(), baseUri, pairs.join('&')].map(percentEncode).join('&');
}

/**
 * HMAC of the base string keyed by `consumerSecret&tokenSecret` (RFC 5849 section 3.4.2), base64; SHA-1 unless
 * `method` says HMAC-SHA256.
 */
export function oauth1Signature(
  baseString: string,
  consumerSecret: string,
  tokenSecret: string,
  method: OAuth1SignatureMethod = 'HMAC-SHA1',
): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac(HASH_OF[method], key).update(baseString).digest('base64');
}

/**
 * Signs one request and returns the whole `Authorization` header value: `OAuth oauth_consumer_key="...", ...`
 * (`OAuth realm="...", oauth_consumer_key=...` with a realm).
 * Sends `oauth_version="1.0"`: optional in RFC 5849, but some providers still refuse requests without it.
 */
export function oauth1AuthorizationHeader(input: OAuth1SignInput): string {
  const method = input.signatureMethod ?? 'HMAC-SHA1';
  const oauthParams: [string, string][] = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_nonce', input.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', method],
    ['oauth_timestamp', String(input.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_token', input.token],
    ['oauth_version', '1.0'],
  ];
  const baseString = oauth1BaseString(input.method, input.url, [...oauthParams, ...(input.bodyParams ?? [])]);
  oauthParams.push(['oauth_signature', oauth1Signature(baseString, input.consumerSecret, input.tokenSecret, method)]);
  // The realm is not a protocol parameter: it is added after signing, so it is never in the base string.
  if (input.realm !== undefined) oauthParams.unshift(['realm', input.realm]);
  return `OAuth ${oauthParams.map(([name, value]) => `${name}="${percentEncode(value)}"`).join(', ')}`;
}

/** Plain code-unit order: the encoded strings are ASCII, so this is the byte order the RFC sorts by. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
