/**
 * The Try-an-action page's checks of an action's input before it is sent: JSON syntax (with line and column), then a
 * small subset of JSON Schema: `type`, `required`, `properties`, `enum` and `items`, nested as deep as the schema
 * goes. The server checks the whole schema (ajv) anyway: this only catches the common mistakes before a round trip
 * and names where they are. Not checked here (the server's `invalid_action_input` reports them): formats, lengths,
 * `minimum`/`maximum`, `pattern`, `additionalProperties`, `const`, `anyOf`/`oneOf`/`allOf`/`not`, `$ref`, tuple
 * `items` (an array of schemas), `if`/`then`/`else` and the rest.
 *
 * Pure (no DOM), so the server package's jest can test it.
 */

import { parseJsonText } from './jsonText';

export { lineAndColumn, scanErrorOffset } from './jsonText';

export type JsonParse =
  { ok: true; value: unknown } | { ok: false; message: string; line: number; column: number; offset: number };

/**
 * Parses the text as JSON; an empty text (only blanks) is `{}`, the input an action gets when none is sent. On a
 * syntax error, says what and where (1-based line and column, and the offset to put the cursor at).
 */
export function parseJsonInput(text: string): JsonParse {
  if (text.trim() === '') return { ok: true, value: {} };
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed;
  const { reason, line, column, offset } = parsed.error;
  return { ok: false, message: `Not valid JSON: ${reason} (line ${line}, column ${column})`, line, column, offset };
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
