import type { AuthMode, NangoConnection, StoredCredentials } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';

/**
 * One auth mode: which credentials a Connection of it holds, how they are fetched again when they expire, and how
 * they are put on a request. Every door (RPC registration, the /api-auth and /auth routes, the import API), the
 * refresher, httpRequest, the proxy and sync scripts go through the mode's handler, so a mode is written once.
 * The handlers live beside this file, one per mode, and are listed in handlers.ts.
 */
export interface AuthModeHandler {
  readonly mode: AuthMode;
  /** Credential fields every Connection of the mode must hold: non-empty strings (e.g. `['api_key']`). */
  readonly requiredFields: readonly string[];
  /**
   * The credentials come from the provider's own flow (an OAuth callback, or an app that ran one): the provider just
   * issued them, so the catalog's verification request is not tried when they are stored. Default: false (a person
   * typed them, and they are checked where the catalog can).
   */
  readonly issuedByProvider?: boolean;
  /**
   * Checks what `requiredFields` does not and adds derived fields to `stored` (e.g. OAuth 2's `expires_at` from
   * `expires_in`). The required fields are copied already. Problems name fields, never values: they are secrets.
   */
  normalise?(raw: Readonly<Record<string, unknown>>, stored: StoredCredentials, problems: string[], now: Date): void;
  /**
   * Set for modes whose credentials hold a token got from the provider with what the user gave (client credentials,
   * a two-step exchange, a signed JWT, …) or, for OAuth 2, a refresh token. `atCreation`: the token is fetched when
   * the Connection is made, before it is stored, and a refusal refuses the Connection.
   */
  readonly tokenFetch?: { readonly atCreation: boolean };
  /**
   * The request that fetches a token (again) for this Connection, or what is missing to make one (no refresh token,
   * no token URL, …). Called with the refresh lock held; the refresher retries transient failures.
   */
  grant?(integration: IntegrationConfig, connection: NangoConnection, timeoutMs: number): TokenGrant | GrantMissing;
  /**
   * How long before its expiry a token is fetched again, for modes whose tokens live shorter than the integration's
   * margin (a 5-minute JWT would otherwise always be due): given the integration's margin, the one to use.
   * Default: the integration's (`oauth.refresh_margin_s`, else 15 minutes).
   */
  refreshMarginMs?(integration: IntegrationConfig, defaultMs: number): number;
  /**
   * Puts the credentials on one request (each redirect hop is signed afresh). Not called when the call set
   * Authorization itself.
   * @throws WorkerError `http_request_invalid` when the Connection or the integration lacks what the mode needs
   */
  authorise(integration: IntegrationConfig, connection: NangoConnection, request: OutgoingRequest): void;
  /**
   * The Connection's base URL, for modes whose credentials fix it (MCP_OAUTH2_GENERIC: the MCP server the token was
   * issued for, kept with the token, so no one who can write a Connection's config can send the token elsewhere).
   * Absent: the integration's base_url, filled for the Connection.
   * @throws WorkerError `http_request_invalid` when the Connection lacks it
   */
  baseUrl?(integration: IntegrationConfig, connection: NangoConnection): string;
}

/** One request (one redirect hop) as an auth mode sees it when it adds credentials. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** The body as it is sent, when there is one (signatures that cover the body read it). */
  readonly body: string | Uint8Array | undefined;
  /** The request's headers: the mode sets its own on them. */
  readonly headers: Headers;
}

/** One way of getting a token from a provider. */
export interface TokenGrant {
  /**
   * One call to the provider.
   * @returns its answer, a JSON object
   * @throws TokenEndpointError (oauth/requestToken): `rejected` when what the user gave is dead (the Connection then
   *   needs the user again), `transient` when worth retrying, `refused` otherwise; its message quotes no secret
   */
  request(): Promise<Record<string, unknown>>;
  /** The credentials to store from the provider's answer and those held before (the user's inputs among them). */
  credentials(previous: StoredCredentials, response: Record<string, unknown>, now: number): StoredCredentials;
}

/** Why no token can be fetched for a Connection. */
export interface GrantMissing {
  /** What is missing, naming fields and settings, never a value. */
  readonly missing: string;
  /**
   * The Connection is used as it is until its provider refuses it (an OAuth 2 token registered without a refresh
   * token): no error while it has not expired. Otherwise an expired token with nothing to fetch another is an error.
   */
  readonly usableAsIs?: boolean;
}
