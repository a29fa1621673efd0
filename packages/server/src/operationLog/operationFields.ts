import type { OperationFields } from './Operation';

/** Most fields one message or operation takes from free-form input (an action's log line): the rest are counted. */
export const MAX_FIELDS = 20;
/** Longest text value kept in a field; longer ones are cut (with an ellipsis). */
export const MAX_FIELD_TEXT = 256;

/**
 * Scalar fields made from free-form ones (an action's log line fields, already redacted): strings, numbers, booleans
 * and null are kept, objects and arrays become their JSON, every text cut at MAX_FIELD_TEXT; at most MAX_FIELDS keys,
 * the count of the others under `moreFields`. Undefined when there is nothing to keep. Never throws.
 */
export function operationFields(fields: Readonly<Record<string, unknown>> | undefined): OperationFields | undefined {
  if (fields === undefined || fields === null || typeof fields !== 'object') return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  let kept = 0;
  let more = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    if (kept >= MAX_FIELDS) {
      more++;
      continue;
    }
    out[key] =
      value === null || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : cut(typeof value === 'string' ? value : jsonOf(value), MAX_FIELD_TEXT);
    kept++;
  }
  if (more > 0) out['moreFields'] = more;
  return kept > 0 ? out : undefined;
}

/** JSON text of `value`, at most `max` characters (cut with an ellipsis); '[unreadable]' when it cannot be encoded. */
export function boundedJson(value: unknown, max: number): string {
  return cut(jsonOf(value), max);
}

/** `text` at most `max` characters long, cut with an ellipsis. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[unreadable]';
  }
}
