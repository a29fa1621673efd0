/** How the registered client authenticates at the token endpoint (RFC 7591 section 2). */
export type ClientAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';

/** A client registered with an authorization server: what the flow and every later refresh use. */
export interface RegisteredClient {
  readonly clientId: string;
  /** Absent for a public client (`none`). */
  readonly clientSecret?: string | undefined;
  readonly authMethod: ClientAuthMethod;
  /** When the secret expires (epoch seconds); 0 or absent: never (RFC 7591 section 3.2.1). */
  readonly secretExpiresAt?: number | undefined;
}

/** Which registration a client is: one per integration, authorization server and redirect URI. */
export interface McpClientKey {
  readonly integration: string;
  /** The authorization server's issuer (MCP_OAUTH2_GENERIC), or the catalog's registration URL (MCP_OAUTH2). */
  readonly issuer: string;
  /** Our callback URL when it was registered: another one (NANGO_SERVER_URL changed) needs a new registration. */
  readonly redirectUri: string;
}

/**
 * Clients registered dynamically (RFC 7591) for MCP OAuth flows, so that every Connection of an integration to one
 * authorization server reuses one client rather than registering a new one per flow. Sealed with the credential
 * cipher (a registration may carry a client secret), bound to the row's key. A Connection keeps its own copy of the
 * client it was made with (its refresh tokens are bound to it), so a row can be replaced or dropped at any time: the
 * next flow registers again. SQLite and PostgreSQL implement it alike.
 */
export interface McpClientStore {
  /** The client registered for `key`, if any. @throws WorkerError `storage_error` */
  get(key: McpClientKey): Promise<RegisteredClient | undefined>;
  /** Stores (or replaces) the client registered for `key`. @throws WorkerError `storage_error` */
  put(key: McpClientKey, client: RegisteredClient): Promise<void>;
  /** Forgets the registrations of an integration (it was deleted). @throws WorkerError `storage_error` */
  deleteIntegration(integration: string): Promise<void>;
  /** For `rotate-key`: drops registrations sealed with another key than `keyId` (the next flow registers again). */
  dropSealedWithOtherKeys(keyId: string): Promise<void>;
}
