import { randomUUID } from 'node:crypto';
import { carriesCredentials, type ErrorCode } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import type { OperationContext } from '../operations/OperationContext';
import { dispatch } from './dispatch';
import type { Logger } from '../logger';
import { EncodedJson } from '../broker/EncodedJson';
import { INVALID_MESSAGE, type RpcMetrics } from '../metrics/RpcMetrics';
import { validateMessage } from './validateMessage';

/** How a request reached the worker: what decides whether it may carry credentials. */
export interface Delivery {
  /** Published persistent (delivery mode 2): the broker may have written it to disk. */
  persistent: boolean;
  /** Consumed from the credentials queue, which has no dead-letter queue. */
  fromCredentialsQueue: boolean;
  /** The request's correlation id: with its body, what identifies it across deliveries (see requestKey). */
  correlationId?: string | undefined;
}

/** The reply to one request, encoded, and whether the request itself was unreadable. */
export interface ProcessedRequest {
  reply: Buffer;
  /** True when the body was not JSON: the request is answered, then rejected so a dead-letter queue keeps it. */
  malformed: boolean;
}

/**
 * Decodes, validates and handles one request body, and encodes the reply. Never throws: every failure becomes
 * an error reply. Errors the worker raised on purpose keep their code and message; anything else is a bug,
 * reported as `internal_error` with an id the caller can find in the log, and its details logged only. Each request
 * is counted in `metrics` by its type and reply status.
 */
export async function processRequest(
  context: OperationContext,
  content: Buffer,
  logger: Logger,
  delivery: Delivery = { persistent: false, fromCredentialsQueue: false },
  metrics?: RpcMetrics,
): Promise<ProcessedRequest> {
  const startedAt = performance.now();
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    metrics?.observe(INVALID_MESSAGE, 'invalid_message', startedAt);
    return { reply: errorReply('invalid_message', 'The message body is not valid JSON'), malformed: true };
  }
  // The type label is a known message type only once the message is valid: a label is never taken from input.
  let type = INVALID_MESSAGE;
  try {
    const message = validateMessage(body);
    type = message.type;
    refuseStoredCredentials(message.type, delivery);
    const reply = successReply(await dispatch(context, message, { correlationId: delivery.correlationId, content }));
    metrics?.observe(type, 'success', startedAt);
    return { reply, malformed: false };
  } catch (error) {
    if (error instanceof WorkerError) {
      metrics?.observe(type, error.code, startedAt);
      return { reply: errorReply(error.code, error.message, error.operationId, error.payload), malformed: false };
    }
    metrics?.observe(type, 'internal_error', startedAt);
    const incident = randomUUID();
    logger.error({ err: error, incident }, 'unexpected error while handling a request');
    return {
      reply: errorReply('internal_error', `Internal error in the worker (incident ${incident}); see its log`),
      malformed: false,
    };
  }
}

/**
 * A request that carries credentials must come non-persistent on the credentials queue: anywhere else the broker
 * may have written it to disk or may dead-letter it. Refusing it makes a publisher that does so (an older client)
 * fail at once instead of leaving credentials behind in silence.
 * @throws WorkerError `credentials_not_transient`
 */
function refuseStoredCredentials(type: string, delivery: Delivery): void {
  if (!carriesCredentials(type) || (delivery.fromCredentialsQueue && !delivery.persistent)) return;
  const where = delivery.fromCredentialsQueue ? 'persistent' : 'on the request queue';
  throw new WorkerError(
    'credentials_not_transient',
    `${type} carries credentials and came ${where}: publish it non-persistent to the queue <queue>.credentials ` +
      "(as @nangohq/node-client does), so that no credential is written to the broker's disk or kept in a dead-letter queue",
  );
}

/**
 * A success reply. A value that carries the id of its operation (an action run's) gets it as `operationId`, which
 * clients that do not know it ignore.
 */
function successReply(value: unknown): Buffer {
  if (value instanceof EncodedJson) {
    const returned = value.json === undefined ? '' : `,"returnValue":${value.json}`;
    const operation = value.operationId ? `,"operationId":${JSON.stringify(value.operationId)}` : '';
    return Buffer.from(`{"success":true${returned}${operation}}`);
  }
  return Buffer.from(JSON.stringify({ success: true, returnValue: value }));
}

/** An encoded error reply; with the id of the operation the error ended and an ActionError's payload, when there are. */
export function errorReply(errorCode: ErrorCode, errorMsg: string, operationId?: string, payload?: unknown): Buffer {
  return Buffer.from(
    JSON.stringify({
      success: false,
      errorCode,
      errorMsg,
      ...(operationId && { operationId }),
      ...(payload !== undefined && { payload }),
    }),
  );
}
