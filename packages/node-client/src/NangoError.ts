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

  constructor(code: ErrorCode, errorMsg: string, options?: { cause?: unknown }) {
    super(errorMsg, options);
    this.name = 'NangoError';
    this.code = code;
    this.errorMsg = errorMsg;
    this.retryable = ERROR_CODES[code].retryable;
  }
}
