import type * as amqp from 'amqplib';
import { isErrorCode, type ReplyEnvelope } from '@nangohq/protocol';
import { NangoError } from './NangoError';

/** A reply that settles its call successfully. */
export type SuccessReply = ReplyEnvelope & { success: true };

/**
 * Turns a reply body into what its call settles with. Anything but a JSON object is the worker's fault, and
 * must settle the call here: reading `success` off null would throw inside amqplib's delivery callback,
 * where nobody catches it, and the call would hang until its timeout.
 */
export function toOutcome(content: Buffer): SuccessReply | NangoError {
  let reply: unknown;
  try {
    reply = JSON.parse(content.toString('utf8'));
  } catch {
    return new NangoError('internal_error', 'The worker sent a reply that is not JSON.');
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    return new NangoError('internal_error', 'The worker sent a reply that is not a JSON object.');
  }
  const envelope = reply as ReplyEnvelope;
  if (envelope.success === true) return envelope;
  const code = isErrorCode(envelope.errorCode) ? envelope.errorCode : 'internal_error';
  const message = typeof envelope.errorMsg === 'string' ? envelope.errorMsg : 'Unknown error';
  const { operationId, payload } = envelope;
  return new NangoError(code, message, {
    ...(typeof operationId === 'string' && operationId !== '' && { operationId }),
    ...(payload !== undefined && { payload }),
  });
}

/** Closes a connection whose fate no longer matters; it may already be closed, which is not an error here. */
export async function closeQuietly(connection: amqp.ChannelModel): Promise<void> {
  try {
    await connection.close();
  } catch {
    // already closed, or the socket died: either way there is nothing left to release
  }
}

/** The message of an error, or of the first error of an AggregateError (what net.connect throws for localhost). */
export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
