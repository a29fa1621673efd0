/**
 * Every error the client can reject with, keyed by its wire value.
 *
 * The value is what travels in a reply's `errorCode` field and what `NangoError.code` holds, so callers can
 * `switch (err.code)`. Each entry says when it is sent and whether retrying the same call can succeed.
 */
export const ERROR_CODES = {
  // Raised by the client itself, before or instead of a reply.
  not_connected: { retryable: false, when: 'A call was made before connect() resolved.' },
  client_closed: { retryable: false, when: 'A call was made after close(), or was pending when close() was called.' },
  connection_failed: { retryable: true, when: 'connect() could not reach or log in to the broker.' },
  connection_lost: { retryable: true, when: 'The broker connection dropped while the call waited for its reply.' },
  timeout: { retryable: true, when: 'No reply arrived within the call timeout; the worker may still run it.' },
  unroutable: { retryable: true, when: 'The broker has no queue of that name: no worker has declared it.' },
  invalid_argument: { retryable: false, when: 'An argument cannot be sent: not JSON-serialisable, or of the wrong type.' },
  request_too_large: {
    retryable: false,
    when: 'The request is larger than the limit (maxRequestBytes / NANGO_MAX_REQUEST_BYTES).',
  },
  refused_by_broker: {
    retryable: true,
    when: "The broker refused the request (negative publisher confirm) each time it was sent, until the call's deadline.",
  },

  // Sent by the worker in a reply.
  invalid_message: { retryable: false, when: 'The request failed validation; errorMsg names each field and problem.' },
  credentials_not_transient: {
    retryable: false,
    when: 'A request carrying credentials came persistent or on the request queue, not non-persistent on <queue>.credentials.',
  },
  unknown_integration: { retryable: false, when: 'The integration is not declared in integrations.yaml.' },
  unknown_action: { retryable: false, when: 'The action is not declared for that integration in integrations.yaml.' },
  connection_not_found: { retryable: false, when: 'No Connection exists for that integration and user id.' },
  connection_exists: { retryable: false, when: 'A Connection for that integration and user id is already registered.' },
  metadata_too_large: {
    retryable: false,
    when: "The metadata (a Connection's additionalConfig) would be larger than NANGO_MAX_METADATA_BYTES as JSON; nothing was stored.",
  },
  invalid_credentials: { retryable: false, when: "The credentials do not fit the integration's auth mode." },
  credentials_rejected: {
    retryable: false,
    when: "The provider refused the credentials at its catalog entry's verification request (its answer's status is in the message); nothing was stored.",
  },
  credentials_check_failed: {
    retryable: true,
    when: "The provider's verification request got no answer within NANGO_VERIFICATION_TIMEOUT_MS, could not be sent, or answered 429 or 5xx; nothing was stored.",
  },
  connection_validation_failed: {
    retryable: false,
    when: 'A deployed validate-connection function of the integration threw; errorMsg is its message. A new Connection was deleted again; a re-authorised one is marked as needing reauthorization.',
  },
  invalid_connection_config: {
    retryable: false,
    when: "A per-tenant value (connection config) is missing or outside its catalog field's pattern, format or allowed values; the message names the field and its rule.",
  },
  action_load_failed: { retryable: false, when: 'The action file could not be compiled or loaded, or exports no action.' },
  action_failed: { retryable: false, when: 'The action threw; errorMsg is its message (the stack is in the worker log).' },
  action_timeout: {
    retryable: true,
    when: 'The action ran longer than its time limit; it was stopped (its sandbox too, if it did not stop by itself).',
  },
  action_memory_exceeded: {
    retryable: false,
    when: 'The action used more memory than its cap (action_memory_mb) and was stopped; the worker went on.',
  },
  action_sandbox_crashed: {
    retryable: true,
    when: "The sandbox running the action stopped for a reason outside this run (another run's late throw); it may have partly run.",
  },
  action_result_not_json: { retryable: false, when: 'executeAction returned a value that cannot be sent as JSON.' },
  http_host_not_allowed: { retryable: false, when: "httpRequest was asked for a URL outside the integration's base_url host." },
  http_request_invalid: {
    retryable: false,
    when: 'httpRequest was called with a bad method or body, or a placeholder has no value.',
  },
  http_request_failed: { retryable: true, when: 'httpRequest could not reach the API or timed out.' },
  http_response_too_large: {
    retryable: false,
    when: "httpRequest got a response body larger than the integration's max_response_bytes; it was not read past that.",
  },
  idempotency_key_reused: {
    retryable: false,
    when: 'The idempotency key was already used for another action or input of this Connection; use a new key.',
  },
  action_outcome_unknown: {
    retryable: false,
    when: 'A call with this idempotency key was started by a worker that stopped before it finished; it is not run again.',
  },
  reply_too_large: { retryable: false, when: 'The reply is larger than the limit (NANGO_MAX_REPLY_BYTES).' },
  request_dead_lettered: {
    retryable: false,
    when: 'The request was delivered too many times without an answer and went to the dead-letter queue.',
  },
  connection_needs_reauthorization: {
    retryable: false,
    when: "The provider rejected the Connection's refresh token (revoked, expired, invalid_grant): the user must authorise again.",
  },
  token_refresh_failed: {
    retryable: true,
    when: 'The token endpoint failed or timed out, even after retries; try again shortly.',
  },
  refresh_not_possible: { retryable: false, when: 'A refresh was asked for a Connection without refresh token or token URL.' },
  storage_error: {
    retryable: true,
    when: 'The database refused the operation or could not be reached (locked, read-only, disk full, server down).',
  },
  // Sent by the HTTP API (as `{ error: { code, message } }`), besides the worker's codes above.
  invalid_request: { retryable: false, when: 'An HTTP request failed validation; the message names each field and problem.' },
  unauthorized: {
    retryable: false,
    when: 'NANGO_SECRET_KEY is set and the request did not carry it (Bearer, or Basic user name).',
  },
  route_not_found: { retryable: false, when: 'No HTTP route has that method and path.' },
  invalid_csrf_token: {
    retryable: false,
    when: 'A change (not GET, HEAD or OPTIONS) authenticated by a dashboard session cookie lacked its X-CSRF-Token, or carried another one.',
  },
  origin_not_allowed: {
    retryable: false,
    when: "A change authenticated by a dashboard session cookie came from a page of another origin (its Origin header is not this server's).",
  },
  unknown_provider: { retryable: false, when: 'The providers catalog has no provider of that name.' },
  integration_exists: { retryable: false, when: 'An integration with that provider config key already exists.' },
  integration_read_only: {
    retryable: false,
    when: 'The integration is declared in integrations.yaml: change it there, not through the API.',
  },
  not_found: {
    retryable: false,
    when: 'The HTTP resource does not exist (yet): an async action still running, a session, a delivery.',
  },
  payload_too_large: { retryable: false, when: 'The HTTP request body is larger than the route accepts.' },
  invalid_content_type: { retryable: false, when: 'A JSON route was sent a body that is not application/json.' },
  too_many_request: {
    retryable: true,
    when: 'The key (or client) made more HTTP requests than NANGO_API_RATE_LIMIT allows; wait Retry-After seconds.',
  },
  provider_rate_limited: {
    retryable: true,
    when: "The provider's rate limit for this Connection is in force (learned from its 429 or headers) past the wait allowed.",
  },
  base_url_not_allowed: {
    retryable: false,
    when: "A proxy call named a Base-Url-Override whose host is not the integration's own nor allowed by NANGO_PROXY_ALLOWED_HOSTS.",
  },
  invalid_action_input: { retryable: false, when: "The action's input does not match the input schema it declares." },
  invalid_deployment: {
    retryable: false,
    when: 'A deployment of functions (`nango deploy`) names an unknown integration, a missing model, or a bundle that is not JavaScript; the previous deployment stays active.',
  },
  invalid_connect_session: {
    retryable: false,
    when: 'The connect session token is unknown, expired, or does not allow that integration.',
  },
  unknown_sync: {
    retryable: false,
    when: 'The sync is not declared for that integration in integrations.yaml (or has no schedule for that Connection).',
  },
  sync_variant_exists: {
    retryable: false,
    when: 'A variant of that name already exists for that sync and Connection: delete it first, or pick another name.',
  },
  not_supported: {
    retryable: false,
    when: 'HTTP API: the route exists in Nango Cloud but has no meaning on a self-hosted server; the message says what to do instead.',
  },
  invalid_records: {
    retryable: false,
    when: "A sync's batchSave, batchUpdate or batchDelete got records that are not objects with an id, or do not match their model's schema; none of that batch was saved.",
  },
  internal_error: { retryable: false, when: 'A bug or unexpected failure in the worker; details are in its log.' },
} as const satisfies Record<string, { retryable: boolean; when: string }>;

/** A machine-readable error code, as carried by a reply and by `NangoError.code`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` is one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
