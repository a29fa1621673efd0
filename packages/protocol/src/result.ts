import type { ErrorCode } from './errorCodes';

/**
 * The envelope every call resolves (or rejects) with, as in the node client reference.
 * On success `success` is true and `returnValue` holds the result; on failure `success` is false and
 * `errorMsg` says what went wrong.
 */
export interface NangoMessageHandlerResult<T = unknown> {
  success: boolean;
  errorMsg?: string;
  returnValue?: T;
  /**
   * The id of the operation the call made in the worker's operations log (an action run's, for triggerAction), when
   * the worker records one: `GET /logs/operations/<id>` shows it. Optional: older workers do not send it, and older
   * clients ignore it. On the node client's results it is not enumerable, so `{ success, returnValue }` compares,
   * spreads and serialises as spec 1 shows it.
   */
  operationId?: string;
}

/**
 * A reply as it travels from the worker to the client (JSON body of the reply message). `operationId` (optional,
 * added after 0.1.0: clients that do not know it ignore it) names the operation the call made, when there is one.
 */
export type ReplyEnvelope =
  | { success: true; returnValue?: unknown; operationId?: string }
  /**
   * `payload` (optional, added after 0.1.0): the data of the `ActionError` an action threw (Nango's
   * `throw new nango.ActionError(payload)`), as JSON; only on an `action_failed` reply, only when the action gave one.
   */
  | { success: false; errorMsg: string; errorCode: ErrorCode; operationId?: string; payload?: unknown };
