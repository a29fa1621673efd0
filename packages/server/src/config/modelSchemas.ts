import type { Ajv, ValidateFunction } from 'ajv';

// Users' model schemas are checked leniently (unknown keywords such as `description` or `example` are fine), with
// every error reported, so a bad record is described field by field.
// Made on first use: ajv and its formats load only for a config that declares syncs.
let userAjv: Ajv | undefined;
function ajv(): Ajv {
  if (userAjv) return userAjv;
  const { Ajv } = require('ajv') as typeof import('ajv');
  userAjv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  (require('ajv-formats') as typeof import('ajv-formats')).default(userAjv);
  return userAjv;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** What is wrong with a model's JSON Schema, or undefined when it compiles. */
export function modelSchemaProblem(schema: Record<string, unknown>): string | undefined {
  try {
    modelValidator(schema);
    return undefined;
  } catch (error) {
    return `is not a valid JSON Schema: ${(error as Error).message}`;
  }
}

/** The compiled validator of a model's schema, compiled once per schema object. */
export function modelValidator(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv().compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * The problems of one record against its model's schema, one `<field> <message>` each (`id must be string`),
 * or [] when it matches. Values are never quoted: a record is third-party user data.
 */
export function recordProblems(schema: Record<string, unknown>, record: unknown): string[] {
  const validate = modelValidator(schema);
  if (validate(record)) return [];
  return (validate.errors ?? []).map((error) => {
    const field = error.instancePath === '' ? 'the record' : error.instancePath.slice(1).replace(/\//g, '.');
    return `${field} ${error.message ?? 'is invalid'}`;
  });
}
