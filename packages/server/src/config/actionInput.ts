import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { ActionConfig } from './types';
import { WorkerError } from '../errors';

/**
 * Input schemas as users write them: draft-07 keywords, formats, unknown keywords (`x-…`, `examples`) tolerated
 * rather than refused, every problem collected.
 */
let userAjv: Ajv | undefined;
/** Made on first use: ajv and its formats load only for a config whose actions declare an input schema. */
function ajv(): Ajv {
  if (userAjv) return userAjv;
  const { Ajv } = require('ajv') as typeof import('ajv');
  userAjv = new Ajv({ allErrors: true, strict: false, validateSchema: true });
  (require('ajv-formats') as typeof import('ajv-formats')).default(userAjv);
  return userAjv;
}

/** Validators by schema object: a schema is compiled once per load of integrations.yaml, not once per call. */
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv().compile(schema as Record<string, unknown>);
    compiled.set(schema, validate);
  }
  return validate;
}

/** What is wrong with an action's input schema, or undefined when it compiles. Never quotes a value. */
export function inputSchemaProblem(schema: Readonly<Record<string, unknown>>): string | undefined {
  try {
    validatorOf(schema);
    return undefined;
  } catch (error) {
    return `is not a valid JSON Schema: ${(error as Error).message}`;
  }
}

/**
 * Checks an action's input against the schema it declares (none: any object goes).
 * @throws WorkerError `invalid_action_input`, naming each field and problem (never its value)
 */
export function validateActionInput(action: ActionConfig, input: unknown): void {
  if (!action.inputSchema) return;
  const validate = validatorOf(action.inputSchema);
  if (validate(input)) return;
  throw new WorkerError(
    'invalid_action_input',
    `The input of action '${action.name}' does not match its schema: ${describeErrors(validate.errors ?? [])}`,
  );
}

/** `input.title: is required; input.count: must be integer`. */
function describeErrors(errors: readonly ErrorObject[]): string {
  const lines = errors.map((error) => {
    const path = ['input', ...error.instancePath.split('/').slice(1)].join('.');
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    if (error.keyword === 'required') return `${path}.${params.missingProperty ?? ''}: is required`;
    if (error.keyword === 'additionalProperties') return `${path}.${params.additionalProperty ?? ''}: is not allowed`;
    return `${path}: ${error.message ?? 'is invalid'}`;
  });
  return [...new Set(lines)].join('; ');
}
