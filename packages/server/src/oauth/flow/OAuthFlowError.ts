/**
 * The error types an OAuth flow ends with, as the official frontends receive them (`error.type` of the postMessage
 * page, `error_type` of the WebSocket frame; contract B.5). Each says when it is used here.
 */
export const OAUTH_ERROR_TYPES = {
  missing_connection_id: '/oauth/connect (or /api-auth) without a connection_id nor a connect session token.',
  invalid_query_params: 'A connection_id was given with a connect session token, which chooses the id itself.',
  invalid_connect_session: 'The connect session token is unknown or expired (sessions live NANGO_CONNECT_SESSION_TTL_S).',
  integration_not_allowed:
    "The connect session does not allow this integration (its allowed_integrations, or a reconnect session's).",
  auth_mode_err: '/api-auth for an integration of another auth mode (an API key for an OAuth integration, say).',
  invalid_credentials:
    "/api-auth or /auth/… with credentials missing or empty, or refused by the provider's token endpoint when the auth mode fetches a token with them.",
  connection_test_failed:
    "The provider refused the credentials at its catalog entry's proxy.verification request (the message names its answer's status).",
  credentials_check_failed:
    "The provider's verification request got no answer within NANGO_VERIFICATION_TIMEOUT_MS, could not be sent, or answered 429 or 5xx: try again.",
  invalid_connection_config:
    'A params[…] value the catalog describes (connection_config) is missing, or outside its pattern, format or allowed values; checked before any redirect or token request.',
  no_provider_config_key: '/oauth/connect without a provider config key in its path.',
  unknown_config_key: 'No integration has that provider config key.',
  provider_config_err:
    'The integration cannot run an OAuth flow: no provider, no client, or a provider setting this server does not support.',
  account_or_environment_retrieval_err: 'NANGO_PUBLIC_KEY is set and public_key is missing or wrong.',
  missing_hmac: 'NANGO_HMAC_KEY is set and the request carries no hmac.',
  invalid_hmac: 'The hmac does not match.',
  url_param_err:
    'A query value is malformed (given twice, too long), or a templated provider URL needs a params[…] value that was not given.',
  discovery_err:
    "MCP OAuth: the MCP server's protected-resource metadata (RFC 9728) or its authorization server's metadata (RFC 8414) is missing, unreachable, malformed, or names a URL this server refuses.",
  registration_err:
    'MCP OAuth: the authorization server refused or failed the dynamic client registration (RFC 7591), or has no registration endpoint.',
  req_token_err: 'OAuth 1.0a: the provider refused or failed the request-token call.',
  state_err: 'The callback has no state, or one that is unknown, expired or already used.',
  callback_err: "The callback carries the provider's error (the user denied access, say) or lacks the code or verifier.",
  token_err:
    "The token endpoint refused or failed the code exchange, or answered without a token; or an auth mode's token request made with the user's credentials (client credentials, two-step, JWT, …) got no answer.",
  unknown_err: 'Anything else: a bug or a storage failure; details are in the log under the incident id.',
} as const;

/** One of OAUTH_ERROR_TYPES. */
export type OAuthErrorType = keyof typeof OAUTH_ERROR_TYPES;

/** A failed OAuth flow: its type (sent to the frontend) and a message that names the problem, never a secret. */
export class OAuthFlowError extends Error {
  constructor(
    readonly type: OAuthErrorType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OAuthFlowError';
  }
}
