import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `headers` carry `X-Nango-Hmac-Sha256` (any case) equal to hex HMAC-SHA256(`signingKey`, `body`), the raw
 * body exactly as received (contract E.1); compared in constant time, upper- or lower-case hex. False without a key,
 * without the header, or when the header is not one string.
 */
export function verifyIncomingWebhookRequest(
  body: string | Uint8Array,
  headers: Readonly<Record<string, unknown>>,
  signingKey: string | undefined,
): boolean {
  if (!signingKey) return false;
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'x-nango-hmac-sha256');
  if (name === undefined) return false;
  const given = headers[name];
  if (typeof given !== 'string' || !/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', signingKey).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
