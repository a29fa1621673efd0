import type { MessageLevel, OperationEnd, OperationError, OperationFields, OperationRecord, OperationStart } from './Operation';

/**
 * Records operations. Every method returns at once and never throws: entries are buffered and written in batches
 * off the request path; when the buffer is full they are counted as dropped, never waited for.
 */
export interface OperationLog {
  /** Starts an operation; the handle adds messages and ends it. */
  start(start: OperationStart): OperationHandle;
  /** Called with each operation as it ends (metrics count them). Returns a function that unsubscribes. */
  onEnd(listener: (operation: OperationRecord) => void): () => void;
  /**
   * Entries dropped since the log was made because its buffer was full (never decreases); metrics report it as
   * `nango_operation_log_dropped_total`. Absent on a log that never drops.
   */
  readonly droppedCount?: number;
}

/** One operation in flight. Calls after `end` are ignored. */
export interface OperationHandle {
  /** The operation's id: give it back to the caller (a reply header or field) and put it in log lines. */
  readonly id: string;
  /** Adds a message to the operation's timeline. */
  message(level: MessageLevel, text: string, fields?: OperationFields): void;
  /** Adds or replaces some of the operation's own fields (counts, status codes, …). */
  set(fields: OperationFields): void;
  /** Ends the operation; `error` for the failed, cancelled and timed-out ones. */
  end(status: OperationEnd, error?: OperationError): void;
}

/** The handle of an operation that is not recorded (NO_OPERATIONS): every call does nothing. */
const NO_HANDLE: OperationHandle = {
  id: '',
  message: () => undefined,
  set: () => undefined,
  end: () => undefined,
};

/** A log that records nothing: the default where no operations log is wired (unit tests, tools). */
export const NO_OPERATIONS: OperationLog = {
  start: () => NO_HANDLE,
  onEnd: () => () => undefined,
};
