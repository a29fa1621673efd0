import type { Ajv, ErrorObject, SchemaValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types';

/**
 * JSON Schema of a whole number from `minimum` to `maximum`, whether it comes as text (a query string, a header) or as
 * a JSON number: `{ integerIn: [minimum, maximum] }`, the keyword added by integerKeyword. Use it instead of
 * `{ type: 'integer', minimum, maximum }`: ajv's type coercion turns `Infinity` and `1e3` into numbers and then
 * skips minimum and maximum for infinite values, so `limit=Infinity` reached the database.
 */
export function integerIn(minimum: number, maximum: number): { readonly integerIn: readonly [number, number] } {
  return { integerIn: [minimum, maximum] };
}

/** Text the keyword reads as a number: decimal digits, an optional minus, nothing else (no `0x10`, ` 5`, `1e3`). */
const DECIMAL = /^-?\d+$/;

const check: SchemaValidateFunction = (
  range: readonly [number, number],
  data: unknown,
  _parentSchema?: unknown,
  cxt?: DataValidationCxt,
): boolean => {
  const [minimum, maximum] = range;
  const value = typeof data === 'string' && DECIMAL.test(data) ? Number(data) : data;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum || value > maximum) {
    const error: Partial<ErrorObject> = {
      keyword: 'integerIn',
      message: `must be a whole number from ${minimum} to ${maximum}`,
      params: { minimum, maximum },
    };
    check.errors = [error];
    return false;
  }
  // Handlers get the number, as ajv's own coercion would have given it.
  if (cxt?.parentData !== undefined && cxt.parentDataProperty !== undefined) {
    (cxt.parentData as Record<string | number, unknown>)[cxt.parentDataProperty] = value;
  }
  return true;
};

/** The Fastify ajv plugin that adds the `integerIn` keyword (see integerIn). */
export function integerKeyword(ajv: Ajv): Ajv {
  return ajv.addKeyword({ keyword: 'integerIn', schemaType: 'array', modifying: true, errors: true, validate: check });
}
