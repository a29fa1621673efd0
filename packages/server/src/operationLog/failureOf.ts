import { WorkerError } from '../errors';
import type { OperationEnd, OperationError } from './Operation';

/** Codes that say a time limit ran out: the operation ends `timed_out`, not `failed`. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['action_timeout', 'sync_timeout', 'timeout']);

/** How an operation that threw ends. */
export interface Failure {
  readonly status: OperationEnd;
  readonly error: OperationError;
}

/**
 * The status and error an operation ends with when `error` was thrown: a WorkerError keeps its code and message (they
 * are written for the caller and hold no secret); an Error carrying a snake_case `code` of ours keeps them too; anything
 * else is an `internal_error` with a fixed message, since its text (a driver's, a library's) may quote values.
 */
export function failureOf(error: unknown): Failure {
  const ours = error instanceof WorkerError || (error instanceof Error && isOurCode((error as { code?: unknown }).code));
  if (!ours) return { status: 'failed', error: { code: 'internal_error', message: 'failed inside the server; see its log' } };
  const code = (error as { code: string }).code;
  return { status: TIMEOUT_CODES.has(code) ? 'timed_out' : 'failed', error: { code, message: (error as Error).message } };
}

/** Our codes are snake_case words; a driver's (`23505`, `ECONNRESET`) are not, and their messages are not ours. */
function isOurCode(code: unknown): code is string {
  return typeof code === 'string' && /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(code);
}
