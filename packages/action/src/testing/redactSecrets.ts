import { REDACTED } from './Recording';

/**
 * Names of fields, headers and query parameters whose values are secrets wherever they appear: tokens, keys,
 * passwords, signatures, cookies. Matched case-insensitively on the whole name with `-` and `_` ignored.
 */
const SECRET_NAME =
  /^(authorization|proxyauthorization|cookie|setcookie|xapikey|apikey|apitoken|secret|clientsecret|password|passwd|token|accesstoken|refreshtoken|idtoken|oauthtoken|oauthtokensecret|oauthsignature|sessiontoken|signature|xamzsecuritytoken|privatekey|xauthtoken)$/;

/** Shorter values are not searched for in text: they would blank ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** Whether a field, header or query parameter of this name holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase().replace(/[-_]/g, ''));
}

/** Every string inside a value (a Connection's credentials, raw token reply included), for {@link redactSecrets}. */
export function secretValuesOf(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) into.add(value);
  else if (Array.isArray(value)) for (const item of value) secretValuesOf(item, into);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) secretValuesOf(item, into);
  return into;
}

/**
 * A copy of `value` with no secret left: every known secret value (and its URL-encoded form) replaced by
 * REDACTED wherever it appears in a string, fields named like secrets (see isSecretName) blanked, and the values of
 * such query parameters in URLs blanked. A string holding JSON is redacted inside and written back as JSON.
 */
export function redactSecrets<T>(value: T, secrets: Iterable<string>): T {
  const known = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  // Longest first, so a secret containing another is replaced whole.
  known.sort((a, b) => b.length - a.length);
  return redact(value, known) as T;
}

function redact(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    copy[name] = isSecretName(name) && (typeof item === 'string' || typeof item === 'number') ? REDACTED : redact(item, secrets);
  }
  return copy;
}

function redactText(text: string, secrets: readonly string[]): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(redact(JSON.parse(text), secrets));
    } catch {
      // Not JSON after all: redacted as text below.
    }
  }
  let out = text;
  for (const secret of secrets) {
    out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  // `access_token=…` in a query string or a form body.
  return out.replace(/([?&;]|^)([A-Za-z_-]+)=([^&#\s]*)/g, (whole, lead: string, name: string) =>
    isSecretName(name) ? `${lead}${name}=${REDACTED}` : whole,
  );
}
