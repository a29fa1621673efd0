/** A body parsed as JSON, or why it cannot be. */
export type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/** The body as JSON; a refusal that says what was wrong (never quoting the body) otherwise. */
export function readJson(rawBody: Buffer): Parsed {
  if (rawBody.length === 0) return { ok: false, message: 'The webhook has no body: a JSON body is required' };
  try {
    return { ok: true, value: JSON.parse(rawBody.toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, message: `The webhook body is not JSON (${(error as Error).message}): a JSON body is required` };
  }
}

/**
 * Slack's bodies: JSON for the Events API, form-encoded for slash commands and interactivity, whose `payload` field
 * is itself JSON (the other forms are kept as an object of their fields).
 */
export function readSlackBody(rawBody: Buffer, contentType: string | undefined): Parsed {
  if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return readJson(rawBody);
  const form = new URLSearchParams(rawBody.toString('utf8'));
  const payload = form.get('payload');
  if (payload === null) return { ok: true, value: Object.fromEntries(form) };
  return readJson(Buffer.from(payload, 'utf8'));
}

/** The value at a dotted path of an object (`installation.id`), or undefined. Own properties only. */
export function valueAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A payload value as a lookup text: strings and finite numbers; anything else names no Connection. */
export function lookupText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '' && value.length <= 512) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
