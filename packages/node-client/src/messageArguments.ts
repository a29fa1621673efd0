/**
 * Turns the arguments of the client's methods into message fields, checking what the worker's schemas cannot
 * see or would name less clearly. Every problem is a NangoError `invalid_argument`, raised before anything is sent.
 */
import type { NangoMessage } from '@nangohq/protocol';
import { findNonJson } from './findNonJson';
import { NangoError } from './NangoError';

/** The fields holding the app's own JSON, checked value by value: JSON would silently drop or change parts of them. */
const APP_JSON_FIELDS = ['additionalConfig', 'input', 'metadata'] as const;

/** A user id as the app knows it; numbers are sent (and stored) as strings. */
export type UserId = string | number;

/** A user id as sent: numbers become strings. */
export function toUserId(userId: UserId, what = 'userId'): string {
  if (typeof userId === 'number' && Number.isFinite(userId)) return String(userId);
  if (typeof userId === 'string') return userId;
  throw new NangoError('invalid_argument', `${what} must be a string or a number, got ${describeType(userId)}`);
}

/** One user id or a non-empty list of them, as the list the metadata messages carry. */
export function toUserIds(userIds: UserId | readonly UserId[]): string[] {
  if (!Array.isArray(userIds)) return [toUserId(userIds as UserId)];
  if (userIds.length === 0) {
    throw new NangoError('invalid_argument', 'userId must be a user id or a non-empty list of user ids, got []');
  }
  return userIds.map((userId, index) => toUserId(userId, `userId[${index}]`));
}

/** An optional boolean flag (forceRefresh, refreshToken): only sent when given. */
export function optionalFlag<K extends string>(name: K, value: boolean | undefined): { [P in K]?: boolean } {
  if (value === undefined) return {};
  if (typeof value !== 'boolean') {
    throw new NangoError('invalid_argument', `${name} must be a boolean, got ${describeType(value)}`);
  }
  return { [name]: value } as { [P in K]?: boolean };
}

/** triggerAction's optional idempotency key: a non-empty string, only sent when given. */
export function optionalIdempotencyKey(idempotencyKey: string | undefined): { idempotencyKey?: string } {
  if (idempotencyKey === undefined) return {};
  if (typeof idempotencyKey !== 'string' || idempotencyKey === '') {
    const got = describeType(idempotencyKey);
    throw new NangoError('invalid_argument', `options.idempotencyKey must be a non-empty string, got ${got}`);
  }
  return { idempotencyKey };
}

/** Metadata must be a JSON object: not an array, null or a primitive. */
export function toMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    const got = Array.isArray(metadata) ? 'an array' : describeType(metadata);
    throw new NangoError('invalid_argument', `metadata must be a JSON object, got ${got}`);
  }
  return metadata;
}

/** The type of a bad argument for an error message; numbers are shown, other values never (they may be secrets). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/**
 * Encodes a message, naming the argument that cannot be sent as JSON. In `additionalConfig`, `input` and
 * `metadata` a value JSON would drop or change (a function, undefined, NaN, a Map) is refused too, with its path:
 * spec 1 says a non-JSON-serialisable value is an error, not something the worker silently never sees.
 */
export function serialise(message: NangoMessage): Buffer {
  for (const field of APP_JSON_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(message, field)) continue;
    const problem = findNonJson((message as unknown as Record<string, unknown>)[field], field);
    if (problem) throw new NangoError('invalid_argument', `${field} must be JSON-serialisable: ${problem}`);
  }
  try {
    return Buffer.from(JSON.stringify(message), 'utf8');
  } catch (cause) {
    for (const [field, value] of Object.entries(message)) {
      try {
        JSON.stringify(value);
      } catch (fieldCause) {
        throw new NangoError('invalid_argument', `${field} must be JSON-serialisable: ${(fieldCause as Error).message}`, {
          cause: fieldCause,
        });
      }
    }
    throw new NangoError('invalid_argument', `The ${message.type} message is not JSON-serialisable`, { cause });
  }
}
