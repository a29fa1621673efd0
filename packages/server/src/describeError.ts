import { types } from 'node:util';

/**
 * True for any Error, including one made in another realm (action code compiled outside a test runner's
 * sandbox, for instance), where `instanceof Error` says false.
 */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** The message of an error, or the value as text. */
export function describeError(value: unknown): string {
  if (isError(value)) return value.message || value.name;
  return String(value);
}
