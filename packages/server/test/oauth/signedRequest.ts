/**
 * What an OAuth 1.0a provider reads from a signed request (RFC 5849 section 3), and the signature check, done by
 * oauth-sign: an implementation independent of the server's own signer (src/outbound/oauth1.ts), so a test that
 * passes proves the server signs as a third party expects, not just as it itself computes.
 */
import { timingSafeEqual } from 'node:crypto';
import { hmacsign } from 'oauth-sign';

/** Why a provider refuses a request, named as the OAuth Problem Reporting extension names it. */
export type OAuth1ProblemReason =
  | 'parameter_absent'
  | 'parameter_rejected'
  | 'signature_method_rejected'
  | 'version_rejected'
  | 'consumer_key_unknown'
  | 'timestamp_refused'
  | 'nonce_used'
  | 'signature_invalid'
  | 'token_rejected'
  | 'verifier_invalid';

/** RFC 5849 section 3.2: a request that is malformed gets 400; one whose credentials or signature fail gets 401. */
const BAD_REQUEST: ReadonlySet<OAuth1ProblemReason> = new Set([
  'parameter_absent',
  'parameter_rejected',
  'signature_method_rejected',
  'version_rejected',
]);

/** A refused request: the problem's name, the HTTP status to answer with, and a message that says what was wrong. */
export class OAuth1Problem extends Error {
  constructor(
    readonly reason: OAuth1ProblemReason,
    message: string,
  ) {
    super(message);
  }

  get status(): 400 | 401 {
    return BAD_REQUEST.has(this.reason) ? 400 : 401;
  }
}

/** One request as the provider checks it. */
export interface SignedRequest {
  /** Upper case. */
  readonly method: string;
  /** Scheme, host (no default port) and path: RFC 5849 section 3.4.1.2. */
  readonly baseUri: string;
  /** The protocol parameters (`oauth_*`), decoded, each sent once. */
  readonly oauth: ReadonlyMap<string, string>;
  /** Every parameter the signature covers, decoded: the header's but realm and oauth_signature, the query's, a form body's. */
  readonly params: readonly (readonly [string, string])[];
}

/** The protocol parameters HMAC-SHA1 requires (RFC 5849 sections 3.1 and 3.3). */
const REQUIRED = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce'];

/**
 * Reads the request's `Authorization: OAuth ...` header, query and form body, and checks what needs no secret:
 * every required protocol parameter sent once, HMAC-SHA1, version 1.0 if any, a timestamp that is a number.
 * @throws OAuth1Problem `parameter_absent`, `parameter_rejected`, `signature_method_rejected`, `version_rejected`
 */
export function readSignedRequest(
  method: string,
  url: URL,
  authorization: string | undefined,
  contentType: string | undefined,
  body: string,
): SignedRequest {
  const header = headerParams(authorization);
  const all: (readonly [string, string])[] = [...header, ...url.searchParams];
  // Section 3.4.1.3.1: a body is signed only when it is form-encoded.
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) all.push(...new URLSearchParams(body));
  const oauth = new Map<string, string>();
  for (const [name, value] of all) {
    if (!name.startsWith('oauth_')) continue;
    if (oauth.has(name)) throw new OAuth1Problem('parameter_rejected', `${name} is sent more than once`);
    oauth.set(name, value);
  }
  const absent = REQUIRED.filter((name) => !oauth.has(name));
  if (absent.length > 0) throw new OAuth1Problem('parameter_absent', `the request has no ${absent.join(', ')}`);
  const signatureMethod = oauth.get('oauth_signature_method');
  if (signatureMethod !== 'HMAC-SHA1') {
    throw new OAuth1Problem('signature_method_rejected', `oauth_signature_method ${signatureMethod} is not HMAC-SHA1`);
  }
  if (oauth.has('oauth_version') && oauth.get('oauth_version') !== '1.0') {
    throw new OAuth1Problem('version_rejected', `oauth_version ${oauth.get('oauth_version')} is not 1.0`);
  }
  if (!/^[0-9]{1,12}$/.test(oauth.get('oauth_timestamp') ?? '')) {
    throw new OAuth1Problem('parameter_rejected', 'oauth_timestamp is not a number of seconds');
  }
  return {
    method: method.toUpperCase(),
    baseUri: `${url.protocol}//${url.host}${url.pathname}`,
    oauth,
    params: all.filter(([name]) => name !== 'oauth_signature' && name !== 'realm'),
  };
}

/**
 * Whether `oauth_signature` is the HMAC-SHA1 of the request's base string keyed by the consumer secret and the token
 * secret (empty for the request token call), compared in constant time.
 */
export function signatureMatches(request: SignedRequest, consumerSecret: string, tokenSecret: string): boolean {
  const params: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of request.params) (params[name] ??= []).push(value);
  const expected = Buffer.from(hmacsign(request.method, request.baseUri, params, consumerSecret, tokenSecret));
  const got = Buffer.from(request.oauth.get('oauth_signature') ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Section 3.5.1: `OAuth name="value", ...`, names and values percent-encoded; realm is read but never signed. */
function headerParams(authorization: string | undefined): [string, string][] {
  const header = authorization?.trim() ?? '';
  const scheme = /^OAuth\s+/i.exec(header);
  if (!scheme) throw new OAuth1Problem('parameter_absent', 'the request has no Authorization: OAuth header');
  const item = /\s*([^\s=",]+)\s*=\s*"([^"]*)"\s*(?:,|$)/y;
  item.lastIndex = scheme[0].length;
  const pairs: [string, string][] = [];
  while (item.lastIndex < header.length) {
    const at = item.lastIndex + (/^\s*/.exec(header.slice(item.lastIndex))?.[0].length ?? 0);
    const found = item.exec(header);
    // The position, never the text: the header carries the signature and may carry secrets a client leaked.
    if (!found) throw new OAuth1Problem('parameter_rejected', `the Authorization header cannot be read from character ${at}`);
    pairs.push([decode(found[1] ?? ''), decode(found[2] ?? '')]);
  }
  return pairs;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new OAuth1Problem('parameter_rejected', 'the Authorization header has a value that is not valid percent-encoding');
  }
}
