import { hash, timingSafeEqual } from 'node:crypto';
import { parseAuthorization } from './parseAuthorization';

/**
 * Whether two secrets are equal, in time that depends on neither: both are hashed first, so neither their content
 * nor their lengths shape the comparison.
 */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(hash('sha256', given, 'buffer'), hash('sha256', expected, 'buffer'));
}

/**
 * The key a well-formed Authorization header carries: `Bearer <key>` (node SDK ≥ 0.24), or Basic with the key as user
 * name and any password (node SDK ≤ 0.23 and the 2023 CLI send `base64("<key>:")`, contract C.0). Undefined when there
 * is none or the header is malformed (see parseAuthorization).
 */
export function keyOf(authorization: string | undefined): string | undefined {
  const parsed = parseAuthorization(authorization);
  if (parsed.kind === 'bearer') return parsed.token;
  if (parsed.kind === 'basic') return parsed.user || undefined;
  return undefined;
}

/** What a request's Authorization header says about the secret key, worked out once per request (see checkSecretKey). */
export interface SecretKeyCheck {
  /** The key the header carries (undefined: none, or a malformed header). */
  readonly given: string | undefined;
  /** Whether it is the server's secret key (false when the server has none). */
  readonly valid: boolean;
  /** SHA-256 of the given key, hex: what the rate limit counts a valid key's requests by. */
  readonly givenSha256: string | undefined;
}

/**
 * The server's key and its digest, worked out again whenever the key differs from the one digested: a changed key
 * is the one checked against from the next request on, so a replaced key is refused at once.
 */
let expected: { key: string; digest: Buffer } | undefined;

/** The checks made so far of requests in flight, so the rate limit and the key check share one. */
const checks = new WeakMap<object, SecretKeyCheck>();

/**
 * Checks the secret key a request carries, once per request: the rate limit (which counts by the key when it is
 * valid) and the secret-key check both ask, and each used to hash the given and the expected key again. Same
 * comparison as secretEquals (both SHA-256 digests compared in constant time), with the expected key's digest kept
 * and the given one's hashed once. A request keeps the verdict of its first check (against the key of that moment).
 */
export function checkSecretKey(
  request: { readonly headers: { authorization?: string | undefined } },
  secretKey: string | undefined,
): SecretKeyCheck {
  const known = checks.get(request);
  if (known !== undefined) return known;
  const given = keyOf(request.headers.authorization);
  let check: SecretKeyCheck = { given, valid: false, givenSha256: undefined };
  if (given !== undefined && secretKey !== undefined) {
    if (expected?.key !== secretKey) expected = { key: secretKey, digest: hash('sha256', secretKey, 'buffer') };
    const digest = hash('sha256', given, 'buffer');
    check = { given, valid: timingSafeEqual(digest, expected.digest), givenSha256: digest.toString('hex') };
  }
  checks.set(request, check);
  return check;
}
