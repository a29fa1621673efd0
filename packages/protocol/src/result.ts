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
}

/** A reply as it travels from the worker to the client (JSON body of the reply message). */
export type ReplyEnvelope = { success: true; returnValue?: unknown } | { success: false; errorMsg: string; errorCode: ErrorCode };
