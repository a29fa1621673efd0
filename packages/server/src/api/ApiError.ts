import type { ErrorCode } from '@nangohq/protocol';
import { WorkerError } from '../errors';

/** HTTP status of each error code a route can answer with; codes not listed are 500. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_message: 400,
  invalid_credentials: 400,
  invalid_connection_config: 400,
  credentials_rejected: 400,
  connection_validation_failed: 400,
  credentials_check_failed: 502,
  unknown_provider: 400,
  refresh_not_possible: 400,
  metadata_too_large: 400,
  connection_needs_reauthorization: 400,
  unauthorized: 401,
  // A dashboard session's change without its CSRF token, or from another origin: the caller is known, the request refused.
  invalid_csrf_token: 403,
  origin_not_allowed: 403,
  invalid_connect_session: 401,
  route_not_found: 404,
  not_found: 404,
  unknown_integration: 404,
  unknown_sync: 404,
  sync_variant_exists: 409,
  // A Nango Cloud route this server answers only to say so (and what to do instead): the request, not the server, is at fault.
  not_supported: 400,
  connection_not_found: 404,
  connection_exists: 409,
  integration_exists: 409,
  integration_read_only: 409,
  token_refresh_failed: 502,
  storage_error: 503,
  // Actions (POST /action/trigger, GET /action/:id): the caller's mistakes are 4xx, the action's own failure and the
  // platform's are 5xx, and what may pass with a retry says so (503, 504).
  unknown_action: 404,
  invalid_action_input: 400,
  invalid_deployment: 400,
  idempotency_key_reused: 409,
  action_outcome_unknown: 409,
  request_too_large: 413,
  action_failed: 500,
  action_load_failed: 500,
  action_memory_exceeded: 500,
  action_result_not_json: 500,
  request_dead_lettered: 500,
  reply_too_large: 502,
  http_request_failed: 502,
  action_sandbox_crashed: 503,
  not_connected: 503,
  connection_failed: 503,
  connection_lost: 503,
  unroutable: 503,
  refused_by_broker: 503,
  client_closed: 503,
  action_timeout: 504,
  timeout: 504,
  // The proxy (and its learned rate limits).
  http_request_invalid: 400,
  http_host_not_allowed: 400,
  base_url_not_allowed: 403,
  provider_rate_limited: 429,
};

/** The HTTP status for a WorkerError's code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** The JSON body of every error reply: `{ error: { code, message } }`. */
export interface ApiErrorBody {
  /** `action_script_runtime_error` (Nango's code) with the `payload` of an ActionError an action threw. */
  error: { code: ErrorCode | 'action_script_runtime_error'; message: string; payload?: unknown };
}

/** Shorthand for a WorkerError raised by a route. */
export function apiError(code: ErrorCode, message: string): WorkerError {
  return new WorkerError(code, message);
}
