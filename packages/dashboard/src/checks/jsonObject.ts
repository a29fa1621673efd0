import { parseJsonText } from './jsonText';

export { lineAndColumn } from './jsonText';

/** The outcome of reading a JSON object typed by a person: the object, or a message saying what and where. */
export type JsonObjectResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/**
 * Parses `text` as a JSON object (what metadata must be). A syntax error names its line and column (jsonText.ts); an
 * array, a string or null is "must be an object".
 */
export function parseJsonObject(text: string): JsonObjectResult {
  if (text.trim() === '') return { ok: false, message: 'Enter a JSON object, {} for none.' };
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const { line, column, reason } = parsed.error;
    return { ok: false, message: `Line ${line}, column ${column}: ${reason}${reason.endsWith('.') ? '' : '.'}` };
  }
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, message: `The metadata must be a JSON object ({ … }), not ${found}.` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
