/** The outcome of reading a JSON object typed by a person: the object, or a message saying what and where. */
export type JsonObjectResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/**
 * Parses `text` as a JSON object (what metadata must be). A syntax error names its line and column, counted from the
 * position the engine reports (browsers word it differently, and some add the line themselves, so the position is
 * read and the rest of the engine's wording kept as the reason); an array, a string or null is "must be an object".
 */
export function parseJsonObject(text: string): JsonObjectResult {
  if (text.trim() === '') return { ok: false, message: 'Enter a JSON object, {} for none.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: syntaxMessage(text, error instanceof Error ? error.message : String(error)) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, message: `The metadata must be a JSON object ({ … }), not ${found}.` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** "Line 3, column 1: Expected double-quoted property name." from the engine's message and the text. */
function syntaxMessage(text: string, engineMessage: string): string {
  // Firefox says "at line 3 column 1 of the JSON data" and no position.
  const given = /at line (\d+) column (\d+)/.exec(engineMessage);
  const position = /at position (\d+)/.exec(engineMessage);
  const { line, column } = given
    ? { line: Number(given[1]), column: Number(given[2]) }
    : lineAndColumn(text, position ? Number(position[1]) : text.length);
  const reason = engineMessage
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*in JSON at position \d+/, '')
    .replace(/\s*at position \d+/, '')
    .replace(/\s*at line \d+ column \d+ of the JSON data/, '')
    .replace(/^JSON\.parse: /, '')
    .trim();
  return `Line ${line}, column ${column}: ${reason || 'not valid JSON'}${reason.endsWith('.') ? '' : '.'}`;
}

/** 1-based line and column of a 0-based offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}
