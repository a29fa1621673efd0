/**
 * The Try-an-action page's checks of an action's input before it is sent: JSON syntax (with line and column), then a
 * small subset of JSON Schema: `type`, `required`, `properties`, `enum` and `items`, nested as deep as the schema
 * goes. The server checks the whole schema (ajv) anyway: this only catches the common mistakes before a round trip
 * and names where they are. Not checked here (the server's `invalid_action_input` reports them): formats, lengths,
 * `minimum`/`maximum`, `pattern`, `additionalProperties`, `const`, `anyOf`/`oneOf`/`allOf`/`not`, `$ref`, tuple
 * `items` (an array of schemas), `if`/`then`/`else` and the rest.
 *
 * Pure (no DOM, no imports), so the server package's jest can test it.
 */

export type JsonParse =
  { ok: true; value: unknown } | { ok: false; message: string; line: number; column: number; offset: number };

/**
 * Parses the text as JSON; an empty text (only blanks) is `{}`, the input an action gets when none is sent. On a
 * syntax error, says what and where (1-based line and column, and the offset to put the cursor at).
 */
export function parseJsonInput(text: string): JsonParse {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const offset = offsetOf(raw, text);
    const { line, column } = lineAndColumn(text, offset);
    return { ok: false, message: `${describeSyntaxError(raw)} (line ${line}, column ${column})`, line, column, offset };
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
function describeSyntaxError(message: string): string {
  const plain = message
    .replace(/,? ?"[^"]*"\.{0,3} is not valid JSON$/, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/ at line \d+ column \d+.*$/, '')
    .replace(/^JSON\.parse: /, '')
    .trim();
  return `Not valid JSON: ${plain || 'syntax error'}`;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

function typeOf(value: unknown): Exclude<JsonType, 'integer'> {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return type;
  return 'object';
}

function matchesType(value: unknown, type: string): boolean {
  if (type === 'integer') return typeof value === 'number' && Number.isInteger(value);
  return typeOf(value) === type;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equal as JSON values (objects compared key by key, whatever their order). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]));
  }
  return false;
}

/** How a value is shown in a problem: its type only for objects and arrays, short texts quoted. */
function shown(value: unknown): string {
  if (isRecord(value)) return 'an object';
  if (Array.isArray(value)) return 'an array';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

const MAX_PROBLEMS = 20;

/**
 * What is wrong with `value` against `schema`, one line each (`input.title: is required`), as the server words its
 * own (`invalid_action_input`); empty when nothing this checker knows is wrong. `path` names the value (default
 * `input`). A schema that is not an object (or `true`) accepts anything.
 */
export function schemaProblems(value: unknown, schema: unknown, path = 'input'): string[] {
  const problems: string[] = [];
  check(value, schema, path, problems);
  return problems.slice(0, MAX_PROBLEMS);
}

function check(value: unknown, schema: unknown, path: string, problems: string[]): void {
  if (problems.length >= MAX_PROBLEMS) return;
  if (schema === false) {
    problems.push(`${path}: is not allowed`);
    return;
  }
  if (!isRecord(schema)) return;
  const type = schema['type'];
  const types = typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((t) => typeof t === 'string') : [];
  if (types.length > 0 && !types.some((t) => matchesType(value, t))) {
    // Once the type is wrong, the keywords below say nothing useful.
    problems.push(`${path}: must be ${types.map(article).join(' or ')}, not ${shown(value)}`);
    return;
  }
  const allowed = schema['enum'];
  if (Array.isArray(allowed) && !allowed.some((option) => jsonEqual(option, value))) {
    problems.push(`${path}: must be one of ${allowed.map((option) => JSON.stringify(option)).join(', ')}`);
  }
  if (isRecord(value)) {
    const required = schema['required'];
    if (Array.isArray(required)) {
      for (const name of required) {
        if (typeof name === 'string' && !Object.prototype.hasOwnProperty.call(value, name)) {
          problems.push(`${path}.${name}: is required`);
        }
      }
    }
    const properties = schema['properties'];
    if (isRecord(properties)) {
      for (const [name, propertySchema] of Object.entries(properties)) {
        if (Object.prototype.hasOwnProperty.call(value, name)) check(value[name], propertySchema, `${path}.${name}`, problems);
      }
    }
  }
  const items = schema['items'];
  if (Array.isArray(value) && (isRecord(items) || items === false)) {
    value.forEach((item, index) => check(item, items, `${path}[${index}]`, problems));
  }
}

function article(type: string): string {
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
