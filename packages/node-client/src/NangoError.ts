import { ERROR_CODES, type ErrorCode, type NangoMessageHandlerResult } from '@nangohq/protocol';

/**
 * What every client method rejects with. It is an Error (stack, `instanceof`) and also the failed
 * NangoMessageHandlerResult the reference promises: `success` is false and `errorMsg` says what went wrong.
 * `code` is machine-readable (see ERROR_CODES); `retryable` says whether the same call may succeed later.
 */
export class NangoError extends Error implements NangoMessageHandlerResult<never> {
  readonly success = false as const;
  readonly errorMsg: string;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /**
   * The operation the call made in the worker's operations log (a failed action run's), when the worker sent its id;
   * absent on transport errors and from workers that record none.
   */
  declare readonly operationId?: string;
  /**
   * On an `action_failed` error: the data of the `ActionError` the action threw (`new nango.ActionError(payload)`),
   * as the action gave it; absent when the action threw anything else.
   */
  declare readonly payload?: unknown;

  constructor(code: ErrorCode, errorMsg: string, options?: { cause?: unknown; operationId?: string; payload?: unknown }) {
    super(errorMsg, options);
    this.name = 'NangoError';
    this.code = code;
    this.errorMsg = errorMsg;
    this.retryable = ERROR_CODES[code].retryable;
    if (options?.operationId) Object.defineProperty(this, 'operationId', { value: options.operationId, enumerable: true });
    if (options?.payload !== undefined) Object.defineProperty(this, 'payload', { value: options.payload, enumerable: true });
  }
}
