import type { ErrorCode } from '@nangohq/protocol';

/**
 * An error the worker raises on purpose: its code and message go to the caller as they are.
 * Anything else that reaches the reply boundary is reported as `internal_error` with its details logged only.
 */
export class WorkerError extends Error {
  readonly code: ErrorCode;
  /**
   * The operation (in the operations log) that ended with this error, when one was recorded: replies carry it so
   * that the caller can look the run up. Declared, not initialised: errors without one have no such property.
   */
  declare readonly operationId?: string;
  /**
   * The data an action's `ActionError` carried (Nango's `nango.ActionError(payload)`), JSON as the action gave it:
   * replies and the HTTP API return it to the caller. Declared, not initialised: other errors have no such property.
   */
  declare readonly payload?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; operationId?: string; payload?: unknown }) {
    super(message, options);
    this.name = 'WorkerError';
    this.code = code;
    if (options?.operationId) Object.defineProperty(this, 'operationId', { value: options.operationId, enumerable: true });
    if (options?.payload !== undefined) Object.defineProperty(this, 'payload', { value: options.payload, enumerable: true });
  }
}

/** The error for a missing Connection, worded the same everywhere. */
export function connectionNotFound(integration: string, userId: string): WorkerError {
  return new WorkerError(
    'connection_not_found',
    `No Connection for user '${userId}' on integration '${integration}': register one with registerConnection first`,
  );
}
