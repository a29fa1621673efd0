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

/**
 * Stripe's scheme: `Stripe-Signature: t=<seconds>,v1=<hex HMAC of "<t>.<body>">[,v1=…][,v0=…]`, keyed with the
 * endpoint's signing secret (`whsec_…`), `t` within TIMESTAMP_TOLERANCE_MS of now (Stripe's own libraries allow 5
 * minutes too). Any of the `v1` signatures may match: Stripe sends one per secret while a secret is being rolled;
 * `v0` (test mode's old scheme) is never accepted.
 */
export function checkStripe(headers: WebhookHeaders, rawBody: Buffer, secret: string, now = Date.now()): string | undefined {
  const header = headerOf(headers, 'stripe-signature');
  if (header === undefined) return 'the Stripe-Signature header is missing';
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (at <= 0) continue;
    if (key === 't') timestamp = value;
    else if (key === 'v1') signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined) return 'the Stripe-Signature header has no t= timestamp';
  // A timestamp is whole seconds: `1e3` or `12.5` would let one signature stand for another text.
  if (!/^\d+$/.test(timestamp)) return 'the Stripe-Signature header t= timestamp is not a whole number of seconds';
  const stale = timestampProblem('Stripe-Signature t=', timestamp, 's', now);
  if (stale) return stale;
  if (signatures.length === 0) return 'the Stripe-Signature header has no v1= signature';
  const expected = hmac(secret, [`${timestamp}.`, rawBody], 'hex');
  // Every signature is compared, matched or not, so the time does not tell which one matched.
  const matches = signatures.map((given) => sameText(given, expected));
  return matches.includes(true)
    ? undefined
    : 'the Stripe-Signature header has no v1= signature matching the body signed with the webhook signing secret';
}
