import { createHash, createHmac } from 'node:crypto';

/** What every webhook POST carries besides its signatures. */
export const WEBHOOK_USER_AGENT = 'nango-server-webhooks/1';

/**
 * The headers of one webhook POST (contract E.1): `X-Nango-Hmac-Sha256` is the lowercase hex HMAC-SHA256 of the
 * exact body bytes keyed with the signing key (what `verifyIncomingWebhookRequest` checks), `X-Nango-Signature`
 * the legacy lowercase hex SHA-256 of key + body (what the deprecated `verifyWebhookSignature` checks). Without a
 * key the webhook goes unsigned (the outbox warns about it at start).
 */
export function webhookHeaders(body: string, signingKey: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': WEBHOOK_USER_AGENT };
  if (signingKey === undefined) return headers;
  headers['X-Nango-Hmac-Sha256'] = createHmac('sha256', signingKey).update(body, 'utf8').digest('hex');
  headers['X-Nango-Signature'] = createHash('sha256').update(`${signingKey}${body}`, 'utf8').digest('hex');
  return headers;
}
