import { createHash, timingSafeEqual } from 'node:crypto';

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
 * The key an Authorization header carries: `Bearer <key>` (node SDK ≥ 0.24), or Basic with the key as user name and
 * any password (node SDK ≤ 0.23 and the 2023 CLI send `base64("<key>:")`, contract C.0). Undefined otherwise.
 */
export function keyOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value || undefined;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    return user || undefined;
  }
  return undefined;
}
