import type { OperationFields } from './Operation';

/** How big what the log keeps of one operation may get; every default is set here. */
export interface EntryLimits {
  /** Characters of a message's text, or of an error message. Default: 4096 */
  readonly textChars: number;
  /** Fields of an operation or a message. Default: 32 */
  readonly fields: number;
  /** Characters of one field's value (after JSON for objects). Default: 256 */
  readonly fieldChars: number;
  /** Messages of one operation; later ones are counted and said so in one last message. Default: 1000 */
  readonly messages: number;
}

/** The defaults of EntryLimits. */
export const DEFAULT_ENTRY_LIMITS: EntryLimits = { textChars: 4096, fields: 32, fieldChars: 256, messages: 1000 };

/** Most characters of a field's name, an operation's name or an error code. */
const NAME_CHARS = 128;

/** `text` cut to `limit` characters, saying so. */
export function capText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, Math.max(0, limit - 1))}…`;
}

/** A short label (a name, a code), cut to NAME_CHARS. */
export function capName(text: string): string {
  return capText(text, NAME_CHARS);
}

/**
 * Fields made fit to keep: at most `limits.fields` of them, names cut, strings cut, anything not a scalar (a caller
 * outside TypeScript's reach, or a redactor's `[redacted]` object) turned into capped JSON.
 */
export function capFields(fields: Readonly<Record<string, unknown>>, limits: EntryLimits): OperationFields {
  const out: Record<string, string | number | boolean | null> = {};
  let count = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (count++ >= limits.fields) break;
    let kept: string | number | boolean | null;
    if (value === null || typeof value === 'boolean') kept = value;
    else if (typeof value === 'number') kept = Number.isFinite(value) ? value : String(value);
    else if (typeof value === 'string') kept = capText(value, limits.fieldChars);
    else kept = capText(safeJson(value), limits.fieldChars);
    // defineProperty: a field named `__proto__` stays a plain field
    Object.defineProperty(out, capName(key), { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[unserialisable]';
  }
}
