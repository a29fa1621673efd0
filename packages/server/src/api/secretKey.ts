import { createHash, timingSafeEqual } from 'node:crypto';
import { parseAuthorization } from './parseAuthorization';

/**
 * Whether two secrets are equal, in time that depends on neither: both are hashed first, so neither their content
 * nor their lengths shape the comparison.
 */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
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
