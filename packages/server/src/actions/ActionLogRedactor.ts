import { secretScrubber } from '../oauth/scrubSecrets';

/** Keys whose values an action's log line never shows, at any depth of its fields. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'credentials',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'api_key',
  'apiKey',
  'password',
  'oauth_token',
  'oauth_token_secret',
  'oAuthToken',
  'oAuthTokenSecret',
  'client_secret',
  'authorization',
  'Authorization',
]);

/** Credential fields that are not secrets: leaving them out keeps dates and words from being scrubbed everywhere. */
const NOT_SECRET: ReadonlySet<string> = new Set(['type', 'token_type', 'scope', 'expires_at', 'expires_in', 'username']);

/** How deep a field is walked; deeper values are replaced, which also ends a walk of a very deep object. */
const MAX_DEPTH = 20;
const REDACTED = '[redacted]';

/**
 * Makes an action's log line safe to write: the action may pass anything to `this.logger`, its Connection
 * included (`this.logger.info('x', { connection })`), and pino's own redaction only sees top-level keys. The
 * values of secret keys are replaced at any depth, and every string (the message too) is scrubbed of this
 * Connection's credential values, as they are or encoded (see scrubSecrets). Errors become `{ type, message,
 * stack }`, scrubbed; cycles and depth past 20 are cut.
 */
export class ActionLogRedactor {
  private readonly scrub: (text: string) => string;

  constructor(credentials: unknown) {
    const secrets: string[] = [];
    collectSecrets(credentials, secrets, 0);
    this.scrub = secretScrubber(secrets);
  }

  /** The message, scrubbed. */
  message(text: string): string {
    return this.scrub(text);
  }

  /** A copy of the fields with secrets taken out; never throws. */
  fields(fields: unknown): Record<string, unknown> {
    const value = this.copy(fields, 0, new WeakSet());
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { fields: value };
  }

  private copy(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= MAX_DEPTH) return '[too deep]';
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
      if (isError(value)) {
        return { type: value.name, message: this.scrub(String(value.message)), stack: this.scrub(String(value.stack ?? '')) };
      }
      if (Array.isArray(value)) return value.map((item) => this.copy(item, depth + 1, seen));
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        // defineProperty: a key named `__proto__` stays a plain key
        const safe = SECRET_KEYS.has(key) ? REDACTED : this.copy(item, depth + 1, seen);
        Object.defineProperty(out, key, { value: safe, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } catch {
      return '[unreadable]'; // a getter that throws, a revoked proxy
    } finally {
      seen.delete(value);
    }
  }
}

function collectSecrets(value: unknown, into: string[], depth: number): void {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    if (NOT_SECRET.has(key)) continue;
    if (typeof item === 'string' && item.length >= 4) into.push(item);
    else collectSecrets(item, into, depth + 1);
  }
}

/** Duck-typed: an action's errors come from its own realm. */
function isError(value: object): value is Error {
  return Object.prototype.toString.call(value) === '[object Error]';
}
