/**
 * JSON typed by a person, read with where its syntax error is: the one parser behind the metadata field and the
 * Try-an-action input. Pure (no DOM, no imports), so the server package's jest can test it.
 */

/** A syntax error: the engine's reason without its own location, and where it is (1-based line and column). */
export interface JsonSyntaxError {
  reason: string;
  line: number;
  column: number;
  /** 0-based, to put the cursor at. */
  offset: number;
}

export type JsonText = { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError };

export function parseJsonText(text: string): JsonText {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const offset = offsetOf(raw, text);
    return { ok: false, error: { reason: reasonOf(raw), offset, ...lineAndColumn(text, offset) } };
  }
}

/**
 * Where the engine says the error is ("at position 12", "line 2 column 3"); when it does not say (V8's "Unexpected
 * token 'o', "nope" is not valid JSON"), where a scan of our own stops.
 */
function offsetOf(message: string, text: string): number {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    const lines = text.split('\n');
    const line = Math.min(Number(lineColumn[1]), lines.length);
    const before = lines.slice(0, line - 1).reduce((sum, part) => sum + part.length + 1, 0);
    return before + Number(lineColumn[2]) - 1;
  }
  const position = /position (\d+)/.exec(message);
  if (position) return Math.min(Number(position[1]), text.length);
  return scanErrorOffset(text);
}

/**
 * The offset of the first character that cannot continue valid JSON (the text's length when it ends too soon).
 * Only called on a text JSON.parse refused, so it need not be a full parser: it follows JSON's grammar far enough to
 * find where it breaks.
 */
export function scanErrorOffset(text: string): number {
  let at = 0;
  const blanks = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at++;
  };
  const fail = (): never => {
    throw at;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) fail();
      at++;
    }
  };
  const string = () => {
    at++; // the opening quote
    while (at < text.length && text[at] !== '"') {
      const code = text.charCodeAt(at);
      if (code < 0x20) fail();
      if (text[at] === '\\') {
        at++;
        if (text[at] === 'u') {
          at++;
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at, at + 4))) fail();
          at += 3;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x') || at >= text.length) fail();
      }
      at++;
    }
    if (at >= text.length) fail();
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === '' || match[0] === '-') fail();
    at += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    blanks();
    const char = text[at];
    if (char === '{') {
      at++;
      blanks();
      if (text[at] === '}') return void at++;
      for (;;) {
        blanks();
        if (text[at] !== '"') fail();
        string();
        blanks();
        if (text[at] !== ':') fail();
        at++;
        value();
        blanks();
        if (text[at] === '}') return void at++;
        if (text[at] !== ',') fail();
        at++;
      }
    }
    if (char === '[') {
      at++;
      blanks();
      if (text[at] === ']') return void at++;
      for (;;) {
        value();
        blanks();
        if (text[at] === ']') return void at++;
        if (text[at] !== ',') fail();
        at++;
      }
    }
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    fail();
  };
  try {
    value();
    blanks();
    return Math.min(at, text.length);
  } catch (offset) {
    return Math.min(typeof offset === 'number' ? offset : text.length, text.length);
  }
}

/** The engine's message without its own location (ours is added) and without the text it quotes. */
function reasonOf(message: string): string {
  const plain = message
    .replace(/,? ?"[^"]*"\.{0,3} is not valid JSON$/, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/ at line \d+ column \d+.*$/, '')
    .replace(/^JSON\.parse: /, '')
    .trim();
  return plain || 'syntax error';
}

/** 1-based line and column of a 0-based offset (past the end: the end). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}
