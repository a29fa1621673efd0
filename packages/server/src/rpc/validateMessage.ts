import type { ErrorObject, ValidateFunction } from 'ajv';
import { MESSAGE_SCHEMAS, MESSAGE_TYPES, type MessageType, type NangoMessage } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import { NUL_REFUSAL, nulPath } from '../nulPath';
import { loadValidators, type ValidatorSpec } from '../prebuilt/prebuiltValidators';

/** The message schemas' validators, one per type: built by `npm run build` (see prebuilt/), else compiled. */
export const MESSAGE_VALIDATORS: ValidatorSpec<MessageType> = {
  name: 'messages',
  schemas: MESSAGE_SCHEMAS,
  options: { allErrors: true, strict: true },
};
let validators: ReadonlyMap<string, ValidateFunction> | undefined;
/** Loaded on the first message, not when this module loads: `npm run build` writes them for the worker's start. */
const validatorOf = (type: string): ValidateFunction | undefined =>
  (validators ??= new Map(Object.entries(loadValidators(MESSAGE_VALIDATORS)))).get(type);

/**
 * How deeply a field's value may nest objects and arrays. Far beyond any real config or input, and far below the
 * ~4,000 levels at which the recursive JSON.stringify of storing or replying would overflow the stack.
 */
export const MAX_FIELD_DEPTH = 100;

/**
 * Checks a decoded request against its type's schema; no string or key in it may hold U+0000.
 * @throws WorkerError `invalid_message`, naming every field and problem
 */
export function validateMessage(body: unknown): NangoMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WorkerError('invalid_message', 'The message must be a JSON object with a "type" field');
  }
  const type = (body as { type?: unknown }).type;
  const validate = typeof type === 'string' ? validatorOf(type) : undefined;
  if (!validate) {
    const got = typeof type === 'string' ? `'${type.slice(0, 64)}'` : type === undefined ? 'nothing' : typeof type;
    throw new WorkerError('invalid_message', `type: must be one of ${MESSAGE_TYPES.join(', ')} (got ${got})`);
  }
  const deep = tooDeep(body as Record<string, unknown>);
  if (deep) {
    throw new WorkerError(
      'invalid_message',
      `Invalid ${type as MessageType} message: ${deep}: nests objects or arrays more than ${MAX_FIELD_DEPTH} levels deep`,
    );
  }
  // PostgreSQL cannot store U+0000 in text (SQLite can): refused here, as at the HTTP door, on both stores alike.
  const nul = nulPath(body, '', '.');
  if (nul !== undefined) {
    throw new WorkerError('invalid_message', `Invalid ${type as MessageType} message: ${nul || '(message)'}: ${NUL_REFUSAL}`);
  }
  if (!validate(body)) {
    throw new WorkerError('invalid_message', `Invalid ${type as MessageType} message: ${formatErrors(validate.errors ?? [])}`);
  }
  return body as NangoMessage;
}

/** The first field of `body` whose value nests deeper than MAX_FIELD_DEPTH, walked without recursion. */
function tooDeep(body: Record<string, unknown>): string | undefined {
  for (const [field, value] of Object.entries(body)) {
    const stack: Array<[unknown, number]> = [[value, 1]];
    while (stack.length > 0) {
      const [item, depth] = stack.pop()!;
      if (typeof item !== 'object' || item === null) continue;
      if (depth > MAX_FIELD_DEPTH) return field;
      for (const child of Object.values(item)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** `userId: is required; credentials: must be object` — field paths and problems, never values. */
function formatErrors(errors: readonly ErrorObject[]): string {
  const lines = errors.map((error) => {
    const path = error.instancePath.slice(1).replaceAll('/', '.');
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    if (error.keyword === 'required') return `${join(path, params.missingProperty)}: is required`;
    if (error.keyword === 'additionalProperties') return `${join(path, params.additionalProperty)}: is not a known field`;
    return `${path || '(message)'}: ${error.message ?? 'is invalid'}`;
  });
  return [...new Set(lines)].join('; ');
}

function join(path: string, field: string | undefined): string {
  return path ? `${path}.${field ?? ''}` : (field ?? '');
}
