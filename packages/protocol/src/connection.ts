/**
 * How an integration authenticates its API calls; declared per integration in integrations.yaml, or taken from its
 * provider's catalog entry. USERNAME_PASSWORD is the catalog's BASIC; every other name is the catalog's own:
 * - OAUTH2, OAUTH1: the user authorises at the provider; MCP_OAUTH2 and MCP_OAUTH2_GENERIC likewise, against a
 *   remote MCP server found by discovery (RFC 9728 / 8414), its client registered dynamically (RFC 7591).
 * - OAUTH2_CC: a token fetched with a client id and secret (the integration's, or the user's own) and fetched again
 *   before it expires; TWO_STEP, JWT, BILL, SIGNATURE: likewise, from the user's own credential fields.
 * - APP (a GitHub App installation) and CUSTOM (a GitHub App with OAuth): installation tokens from the app's JWT.
 * - API_KEY, USERNAME_PASSWORD, TBA (NetSuite token-based auth), AWS_SIGV4: static credentials the user gives.
 * - NONE: no credentials at all.
 */
export type AuthMode =
  | 'OAUTH2'
  | 'OAUTH1'
  | 'API_KEY'
  | 'USERNAME_PASSWORD'
  | 'OAUTH2_CC'
  | 'TWO_STEP'
  | 'JWT'
  | 'BILL'
  | 'SIGNATURE'
  | 'APP'
  | 'CUSTOM'
  | 'TBA'
  | 'AWS_SIGV4'
  | 'NONE'
  | 'MCP_OAUTH2'
  | 'MCP_OAUTH2_GENERIC';

/** All auth modes, in the order the docs list them. */
export const AUTH_MODES: readonly AuthMode[] = [
  'OAUTH2',
  'OAUTH1',
  'API_KEY',
  'USERNAME_PASSWORD',
  'OAUTH2_CC',
  'TWO_STEP',
  'JWT',
  'BILL',
  'SIGNATURE',
  'APP',
  'CUSTOM',
  'TBA',
  'AWS_SIGV4',
  'NONE',
  'MCP_OAUTH2',
  'MCP_OAUTH2_GENERIC',
];

/** OAuth 2 credentials as the caller sends them. `expires_at` or `expires_in` is needed with a `refresh_token`. */
export interface OAuth2Credentials {
  access_token: string;
  refresh_token?: string;
  /** When the access token expires: a Date, an ISO 8601 string or epoch milliseconds. */
  expires_at?: Date | string | number;
  /** Seconds from now until the access token expires (as OAuth token responses give it). */
  expires_in?: number;
  [extra: string]: unknown;
}

/** OAuth 1.0a credentials: the user's token and token secret (the consumer key is in integrations.yaml). */
export interface OAuth1Credentials {
  oauth_token: string;
  oauth_token_secret: string;
  [extra: string]: unknown;
}

/** API key credentials. */
export interface ApiKeyCredentials {
  api_key: string;
  [extra: string]: unknown;
}

/** Username and password credentials (also usable for an API key and secret pair). */
export interface UsernamePasswordCredentials {
  username: string;
  password: string;
  [extra: string]: unknown;
}

/**
 * NetSuite token-based authentication (TBA): the user's token id and secret; the consumer key and secret are the
 * integration's, unless the Connection brings its own. The account id the realm is made of is the Connection's config
 * `accountId`.
 */
export interface TbaCredentials {
  token_id: string;
  token_secret: string;
  config_override?: { client_id?: string; client_secret?: string };
  [extra: string]: unknown;
}

/**
 * AWS SigV4: the role to assume (it must trust the integration's AWS principal) and, optionally, its region; the
 * worker fetches the temporary keys itself, and again before they expire.
 */
export interface AwsSigV4Credentials {
  role_arn: string;
  region?: string;
  [extra: string]: unknown;
}

/**
 * JWT: the fields its catalog entry's `credentials` names (a private key, an issuer or key id, …), as strings; the
 * worker signs the JWT from them (stored as `token`, with `expires_at`), and again before it expires.
 */
export type JwtCredentials = Record<string, string>;

/** Unauthenticated (NONE): no credentials at all. */
export type NoCredentials = Record<string, never>;

/** Credentials for any auth mode, as passed to registerConnection and updateConnectionCredentials. */
export type NangoAuthCredentials =
  | OAuth2Credentials
  | OAuth1Credentials
  | ApiKeyCredentials
  | UsernamePasswordCredentials
  | TbaCredentials
  | AwsSigV4Credentials
  | JwtCredentials
  | NoCredentials;

/**
 * Credentials as stored on a Connection: the fields of the auth mode, normalised (`expires_at` is an ISO 8601
 * string), plus `raw`, exactly what the caller sent.
 */
export type StoredCredentials = Record<string, unknown> & { raw: Record<string, unknown> };

/** A Connection without its credentials: what the listing methods return. */
export interface NangoConnectionPublic {
  /** Set by the worker when the Connection is registered. */
  uuid: string;
  /** The integration's name in integrations.yaml. */
  integration: string;
  /** The user's id in the calling app; numbers are stored as strings. */
  userId: string;
  /** ISO 8601 UTC timestamp of registration. */
  dateCreated: string;
  /** ISO 8601 UTC timestamp of the last change to credentials or additionalConfig. */
  lastModified: string;
  /** The app's own per-user configuration for this integration. */
  additionalConfig: Record<string, unknown>;
  /**
   * 'ok', or 'needs_reauthorization' once the provider has rejected its refresh token; `authorizationError` then
   * holds the provider's reason. Registering new credentials makes it 'ok' again.
   */
  authorization: 'ok' | 'needs_reauthorization';
  authorizationError?: string;
}

/** A whole Connection, credentials included: what an action sees through getCurrentConnection(). */
export interface NangoConnection extends NangoConnectionPublic {
  credentials: StoredCredentials;
}
