import type { AttemptOutcome, WebhookDelivery } from '../store/WebhookStore';
import { inHttpClientSpan } from '../tracing/inHttpClientSpan';
import { webhookHeaders } from './signWebhook';

/** Longest wait between two attempts, whatever the backoff or a Retry-After says. */
const MAX_DELAY_MS = 60 * 60 * 1000;

/** What one attempt needs to know. */
export interface AttemptSettings {
  signingKey: string | undefined;
  timeoutMs: number;
  retryBaseMs: number;
  maxAttempts: number;
}

/**
 * POSTs a delivery once and says how it ended: any 2xx is delivered; a network error, a timeout, a 5xx or a 429 is
 * retried (after the exponential backoff with jitter, or the 429's Retry-After), unless `delivery.attempts` (this
 * one included) reached the maximum; any other status (a 3xx is not followed, a 4xx) fails at once.
 * Never throws. An abort through `signal` (the sender stopping) ends it as a retry.
 */
export async function attemptDelivery(
  delivery: WebhookDelivery,
  settings: AttemptSettings,
  signal: AbortSignal,
  now: () => number = Date.now,
): Promise<AttemptOutcome> {
  let response: Response;
  try {
    const send = () =>
      fetch(delivery.url, {
        method: 'POST',
        headers: webhookHeaders(delivery.body, settings.signingKey),
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]),
      });
    const attributes = { 'nango.webhook.type': delivery.type, 'nango.webhook.attempt': delivery.attempts };
    // The receiver's origin only: a webhook URL's path or query may hold a token.
    const origin = URL.canParse(delivery.url) ? new URL(delivery.url).origin : undefined;
    response = await inHttpClientSpan('POST', origin, send, attributes);
  } catch (error) {
    return retryOrFail(delivery, settings, null, describeFailure(error, settings.timeoutMs), undefined, now());
  }
  // The receiver's answer is not kept: only its status matters, and its body could be large.
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 429) {
    const retryAfter = retryAfterMs(response.headers.get('retry-after'), now());
    return retryOrFail(delivery, settings, status, 'HTTP 429 (rate limited)', retryAfter, now());
  }
  if (status >= 500) return retryOrFail(delivery, settings, status, `HTTP ${status}`, undefined, now());
  return { kind: 'failed', status, error: `HTTP ${status}: not retried (only network errors, 5xx and 429 are)` };
}

function retryOrFail(
  delivery: WebhookDelivery,
  settings: AttemptSettings,
  status: number | null,
  error: string,
  waitMs: number | undefined,
  now: number,
): AttemptOutcome {
  if (delivery.attempts >= settings.maxAttempts) {
    return { kind: 'failed', status, error: `${error}; gave up after ${delivery.attempts} attempt(s)` };
  }
  const delay = Math.min(waitMs ?? backoffMs(delivery.attempts, settings.retryBaseMs), MAX_DELAY_MS);
  return { kind: 'retry', status, error, nextAttemptAt: now + delay };
}

/** The wait after the `attempts`-th failed attempt: base · 2^(attempts-1), times a jitter between 0.5 and 1.5. */
export function backoffMs(attempts: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(Math.round(exponential * (0.5 + random())), MAX_DELAY_MS);
}

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0);
}

/** A network failure in a few words, without the body or any header. */
function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'interrupted: the sender stopped';
  const code = err.cause?.code;
  return code !== undefined ? `network error ${code}` : `network error: ${err.cause?.message ?? err.message ?? String(error)}`;
}
