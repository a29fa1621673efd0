import { createHash } from 'node:crypto';
import { formatInstant, shiftInstant, TIME_UNITS, type TimeUnit } from './formatInstant';

/**
 * A reader of the templates in Nango's providers catalog, as its TWO_STEP entries (and a few others) write them:
 *
 * | form                                  | value                                                                   |
 * | ------------------------------------- | ----------------------------------------------------------------------- |
 * | `${credentials.x}`, `${credentials.raw.x}` | a credential field of the Connection (raw: its token response)     |
 * | `${connectionConfig.x}`               | a value of the Connection's config                                     |
 * | `${stepN.a.b}`                        | a field of the answer to step N of a multi-step token request (1-based) |
 * | `${accessToken}`, `${refresh_token}`, `${token}`, `${random}`, `${endpoint}`, `${assertionOption.x}`, … | a name the caller's scope gives |
 * | `${now}`                              | the instant, ISO 8601 in UTC                                           |
 * | `${now:FMT}`, `${now+N:unit:FMT}`     | the instant (plus N seconds, minutes, hours or days) formatted, see formatInstant |
 * | `${base64(…)}`, `${sha256Hex(…)}`     | the base64 of, or the hex SHA-256 of, the UTF-8 of what the parentheses render |
 * | `A || B`                              | A when every value it names is set, else B (the whole string's alternatives) |
 *
 * Parsed once (parseCatalogTemplate, when the catalog is loaded, so an unreadable template is refused there with the
 * entry and field) and rendered per request (renderCatalogTemplate) against a scope. Nothing else is read: a function
 * the reader does not know (`awsSigV4(…)`, `hmacSha1Hex(…)`) is a parse error naming it.
 */
export type CatalogPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly path: readonly string[] }
  | { readonly kind: 'now'; readonly shift?: { readonly amount: number; readonly unit: TimeUnit }; readonly format?: string }
  | { readonly kind: 'call'; readonly fn: CatalogFunction; readonly parts: readonly CatalogPart[] };

/** The functions a template may call. */
export type CatalogFunction = 'base64' | 'sha256Hex';

const FUNCTIONS: Readonly<Record<CatalogFunction, (text: string) => string>> = {
  base64: (text) => Buffer.from(text, 'utf8').toString('base64'),
  sha256Hex: (text) => createHash('sha256').update(text, 'utf8').digest('hex'),
};

/** One parsed template: its alternatives (one unless it has `||`), each a sequence of parts. */
export interface CatalogTemplate {
  readonly source: string;
  readonly alternatives: readonly (readonly CatalogPart[])[];
}

/** What a template is rendered against. */
export interface CatalogScope {
  /** The value a name stands for (`['credentials', 'username']`, `['step1', 'token_endpoint']`), or undefined. */
  lookUp(path: readonly string[]): unknown;
  /** The instant `${now…}` renders; one per request, so two headers that both name it agree. */
  readonly now: Date;
}

/** A template that cannot be read, or a value it names that is not set; the message names no value. */
export class CatalogTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogTemplateError';
  }
}

const NAME = /^[A-Za-z_][\w-]*(?:\.[\w-]+)*$/;
const NOW = /^now(?:([+-]\d+):([a-z]+))?(?::(.*))?$/s;
const CALL = /^([A-Za-z_]\w*)\(/;
const SEPARATOR = ' || ';

/**
 * Parses one catalog string.
 * @throws CatalogTemplateError naming what is wrong and where in the string (a 0-based character offset)
 */
export function parseCatalogTemplate(source: string): CatalogTemplate {
  const alternatives = splitAlternatives(source).map((text) => {
    const reader = new Reader(text);
    const parts = reader.sequence(false);
    return Object.freeze(parts);
  });
  return Object.freeze({ source, alternatives: Object.freeze(alternatives) });
}

/** Whether a string holds anything for the reader (a `${`); plain strings are sent as written. */
export function isCatalogTemplate(text: string): boolean {
  return text.includes('${');
}

/**
 * The template's text for one scope: the first alternative whose every named value is set.
 * @throws CatalogTemplateError naming the first value that is not set (of the last alternative), never a value
 */
export function renderCatalogTemplate(template: CatalogTemplate, scope: CatalogScope): string {
  let missing: string | undefined;
  for (const alternative of template.alternatives) {
    missing = firstMissing(alternative, scope);
    if (missing === undefined) return renderParts(alternative, scope);
  }
  throw new CatalogTemplateError(`\${${missing ?? '?'}} is not set`);
}

/** Every name a template reads (`credentials.username`, `step1.access_token`), in order, for checks at load. */
export function namesOf(template: CatalogTemplate): string[] {
  const names: string[] = [];
  const visit = (parts: readonly CatalogPart[]): void => {
    for (const part of parts) {
      if (part.kind === 'value') names.push(part.path.join('.'));
      else if (part.kind === 'call') visit(part.parts);
    }
  };
  template.alternatives.forEach(visit);
  return names;
}

/**
 * The names a URL template reads in its host: every value that stands before the authority's end (`/`, `?`, `#`) in
 * any alternative, a value at the very start included (`${step1.token_endpoint}` is a whole URL). `${now…}` in a host
 * counts as `now`. Empty when the template writes its host whole: the catalog's or the operator's own text.
 */
export function hostNamesOf(template: CatalogTemplate): string[][] {
  const names: string[][] = [];
  const valuesIn = (part: CatalogPart): string[][] =>
    part.kind === 'value'
      ? [[...part.path]]
      : part.kind === 'now'
        ? [['now']]
        : part.kind === 'call'
          ? part.parts.flatMap(valuesIn)
          : [];
  for (const alternative of template.alternatives) {
    let before = '';
    for (const part of alternative) {
      if (part.kind === 'text') {
        before += part.text;
        continue;
      }
      if (!AUTHORITY_CLOSED.test(before)) names.push(...valuesIn(part));
      before += 'x';
    }
  }
  return names;
}

/** A URL's beginning whose host is complete: `scheme://authority` then `/`, `?`, `#` or `\`. */
const AUTHORITY_CLOSED = /^[a-z][a-z\d+.-]*:\/\/[^/?#\\]*[/?#\\]/i;

function renderParts(parts: readonly CatalogPart[], scope: CatalogScope): string {
  let out = '';
  for (const part of parts) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'value':
        out += String(scope.lookUp(part.path) as string);
        break;
      case 'now': {
        const instant = part.shift ? shiftInstant(scope.now, part.shift.amount, part.shift.unit) : scope.now;
        out += part.format === undefined ? instant.toISOString() : formatInstant(instant, part.format);
        break;
      }
      case 'call':
        out += FUNCTIONS[part.fn](renderParts(part.parts, scope));
        break;
    }
  }
  return out;
}

/** The first name of the parts with no usable value (unset, null, empty, or an object), or undefined. */
function firstMissing(parts: readonly CatalogPart[], scope: CatalogScope): string | undefined {
  for (const part of parts) {
    if (part.kind === 'call') {
      const inner = firstMissing(part.parts, scope);
      if (inner !== undefined) return inner;
    }
    if (part.kind !== 'value') continue;
    const value = scope.lookUp(part.path);
    const usable = typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value !== '');
    if (!usable) return part.path.join('.');
  }
  return undefined;
}

/** ` || ` outside `${…}` separates alternatives. */
function splitAlternatives(source: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < source.length; index++) {
    if (source.startsWith('${', index)) {
      depth++;
      index++;
    } else if (source[index] === '}' && depth > 0) depth--;
    else if (depth === 0 && source.startsWith(SEPARATOR, index)) {
      alternatives.push(source.slice(start, index));
      start = index + SEPARATOR.length;
      index = start - 1;
    }
  }
  alternatives.push(source.slice(start));
  return alternatives;
}

/** A recursive-descent reader over one alternative. */
class Reader {
  private position = 0;

  constructor(private readonly text: string) {}

  /** Text and placeholders up to the end, or (inside a call) up to its closing `)`. */
  sequence(inCall: boolean): CatalogPart[] {
    const parts: CatalogPart[] = [];
    let literal = '';
    while (this.position < this.text.length) {
      if (this.text.startsWith('${', this.position)) {
        if (literal !== '') parts.push({ kind: 'text', text: literal });
        literal = '';
        parts.push(this.placeholder());
      } else if (inCall && this.text[this.position] === ')') {
        break;
      } else {
        literal += this.text[this.position];
        this.position++;
      }
    }
    if (literal !== '') parts.push({ kind: 'text', text: literal });
    return parts;
  }

  /** `${…}` at the reader's position. */
  private placeholder(): CatalogPart {
    const start = this.position;
    this.position += 2;
    const call = CALL.exec(this.text.slice(this.position));
    if (call) {
      const name = call[1] ?? '';
      if (!Object.hasOwn(FUNCTIONS, name)) {
        throw this.error(start, `unknown function ${name}(); the reader knows ${Object.keys(FUNCTIONS).join('(), ')}()`);
      }
      this.position += call[0].length;
      const parts = this.sequence(true);
      if (!this.text.startsWith(')}', this.position)) throw this.error(start, `${name}( is not closed by )}`);
      this.position += 2;
      return { kind: 'call', fn: name as CatalogFunction, parts: Object.freeze(parts) };
    }
    const end = this.text.indexOf('}', this.position);
    if (end === -1) throw this.error(start, '${ is not closed by }');
    const inner = this.text.slice(this.position, end);
    this.position = end + 1;
    if (inner.includes('${')) throw this.error(start, 'a ${…} inside a name; only a function call may hold one');
    return this.value(inner, start);
  }

  private value(inner: string, start: number): CatalogPart {
    const now = NOW.exec(inner);
    if (now) {
      const [, amount, unit, format] = now;
      if (unit !== undefined && !(TIME_UNITS as readonly string[]).includes(unit)) {
        throw this.error(start, `\${${inner}}: unknown time unit ${unit}; use ${TIME_UNITS.join(', ')}`);
      }
      return {
        kind: 'now',
        ...(amount !== undefined && { shift: { amount: Number(amount), unit: unit as TimeUnit } }),
        ...(format !== undefined && { format }),
      };
    }
    if (!NAME.test(inner)) throw this.error(start, `\${${inner}} is not a name (letters, digits, '_', '-', dots)`);
    return { kind: 'value', path: Object.freeze(inner.split('.')) };
  }

  private error(at: number, message: string): CatalogTemplateError {
    return new CatalogTemplateError(`at character ${at}: ${message}`);
  }
}
