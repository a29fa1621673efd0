import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature schemes providers sign their webhooks with, each checked against the exact bytes received (a body
 * parsed and encoded again would not match) and compared in constant time. Each returns undefined when the signature
 * is right, else why it is not, in words that name the header and never quote a secret or a signature.
 */

/** How old a signed timestamp may be, either way, before the webhook is refused as a replay: 5 minutes, as Slack and HubSpot say. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

/** Headers as Node gives them: lower-case names. */
export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** One header's value (the first, when repeated), trimmed; undefined when absent or empty. */
export function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** Whether two texts are equal, in time that depends only on their lengths. */
export function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time the same when they differ.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}

function hmac(secret: string, parts: readonly (string | Buffer)[], encoding: 'hex' | 'base64'): string {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/**
 * A hex HMAC-SHA256 of the body in `header`, with or without a `sha256=` prefix: GitHub's `X-Hub-Signature-256`, and
 * the generic mode's header.
 */
export function checkHexHmac(header: string, headers: WebhookHeaders, rawBody: Buffer, secret: string): string | undefined {
  const given = headerOf(headers, header);
  if (given === undefined) return `the ${header} header is missing`;
  const hex = given.toLowerCase().startsWith('sha256=') ? given.slice('sha256='.length) : given;
  const expected = hmac(secret, [rawBody], 'hex');
  return sameText(hex.toLowerCase(), expected)
    ? undefined
    : `the ${header} header does not match the body signed with the webhook secret`;
}

/** Whether a signed timestamp (seconds or milliseconds since the epoch) is within the tolerance of `now`. */
function timestampProblem(header: string, value: string | undefined, unit: 's' | 'ms', now: number): string | undefined {
  if (value === undefined) return `the ${header} header is missing`;
  const number = Number(value);
  if (!Number.isFinite(number)) return `the ${header} header is not a number`;
  const at = unit === 's' ? number * 1000 : number;
  if (Math.abs(now - at) > TIMESTAMP_TOLERANCE_MS) {
    return `the ${header} header is more than ${TIMESTAMP_TOLERANCE_MS / 60_000} minutes away from now (a replay, or a clock off)`;
  }
  return undefined;
}

/**
 * Slack's v0 signing secret: `X-Slack-Signature: v0=<hex HMAC of "v0:<timestamp>:<body>">` and
 * `X-Slack-Request-Timestamp` (seconds) within TIMESTAMP_TOLERANCE_MS of now.
 */
export function checkSlack(headers: WebhookHeaders, rawBody: Buffer, secret: string, now = Date.now()): string | undefined {
  const timestamp = headerOf(headers, 'x-slack-request-timestamp');
  const stale = timestampProblem('X-Slack-Request-Timestamp', timestamp, 's', now);
  if (stale) return stale;
  const given = headerOf(headers, 'x-slack-signature');
  if (given === undefined) return 'the X-Slack-Signature header is missing';
  const expected = `v0=${hmac(secret, [`v0:${timestamp ?? ''}:`, rawBody], 'hex')}`;
  return sameText(given, expected)
    ? undefined
    : 'the X-Slack-Signature header does not match the body signed with the signing secret';
}

/**
 * HubSpot's v3 signature: `X-HubSpot-Signature-v3: <base64 HMAC of method + URL + body + timestamp>`, keyed with the
 * app's client secret, and `X-HubSpot-Request-Timestamp` (milliseconds) within TIMESTAMP_TOLERANCE_MS of now. `url`
 * is the full URL HubSpot called (this server's public URL and the path).
 */
export function checkHubspotV3(
  headers: WebhookHeaders,
  rawBody: Buffer,
  secret: string,
  request: { method: string; url: string },
  now = Date.now(),
): string | undefined {
  const timestamp = headerOf(headers, 'x-hubspot-request-timestamp');
  const stale = timestampProblem('X-HubSpot-Request-Timestamp', timestamp, 'ms', now);
  if (stale) return stale;
  const given = headerOf(headers, 'x-hubspot-signature-v3');
  if (given === undefined) return 'the X-HubSpot-Signature-v3 header is missing';
  const expected = hmac(
    secret,
    [request.method.toUpperCase(), decodeURIComponentSafe(request.url), rawBody, timestamp ?? ''],
    'base64',
  );
  return sameText(given, expected)
    ? undefined
    : 'the X-HubSpot-Signature-v3 header does not match the request signed with the client secret';
}

/** HubSpot signs the URL with its percent-escapes decoded (its documentation lists the few it decodes). */
function decodeURIComponentSafe(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}
