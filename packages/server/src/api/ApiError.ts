import type { ErrorCode } from '@nangohq/protocol';
import { WorkerError } from '../errors';

/** HTTP status of each error code a route can answer with; codes not listed are 500. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_message: 400,
  invalid_credentials: 400,
  unknown_provider: 400,
  refresh_not_possible: 400,
  connection_needs_reauthorization: 400,
  unauthorized: 401,
  route_not_found: 404,
  unknown_integration: 404,
  unknown_sync: 404,
  connection_not_found: 404,
  connection_exists: 409,
  integration_exists: 409,
  integration_read_only: 409,
  token_refresh_failed: 502,
  storage_error: 503,
};

/** The HTTP status for a WorkerError's code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** The JSON body of every error reply: `{ error: { code, message } }`. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Shorthand for a WorkerError raised by a route. */
export function apiError(code: ErrorCode, message: string): WorkerError {
  return new WorkerError(code, message);
}
