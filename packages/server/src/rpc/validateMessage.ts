import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { MESSAGE_SCHEMAS, MESSAGE_TYPES, type MessageType, type NangoMessage } from '@nangohq/protocol';
import { WorkerError } from '../errors';

/** One validator per message type, compiled once when this module loads. */
const ajv = new Ajv({ allErrors: true, strict: true });
const VALIDATORS = new Map<string, ValidateFunction>(MESSAGE_TYPES.map((type) => [type, ajv.compile(MESSAGE_SCHEMAS[type])]));

/**
 * Checks a decoded request against its type's schema.
 * @throws WorkerError `invalid_message`, naming every field and problem
 */
export function validateMessage(body: unknown): NangoMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WorkerError('invalid_message', 'The message must be a JSON object with a "type" field');
  }
  const type = (body as { type?: unknown }).type;
  const validate = typeof type === 'string' ? VALIDATORS.get(type) : undefined;
  if (!validate) {
    const got = typeof type === 'string' ? `'${type.slice(0, 64)}'` : type === undefined ? 'nothing' : typeof type;
    throw new WorkerError('invalid_message', `type: must be one of ${MESSAGE_TYPES.join(', ')} (got ${got})`);
  }
  if (!validate(body)) {
    throw new WorkerError('invalid_message', `Invalid ${type as MessageType} message: ${formatErrors(validate.errors ?? [])}`);
  }
  return body as NangoMessage;
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
