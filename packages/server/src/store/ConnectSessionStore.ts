import type { EndUser } from './ConnectionAttributes';

/** Defaults a session gives one integration's flow (contract C.3 `integrations_config_defaults`). */
export interface IntegrationFlowDefaults {
  readonly userScopes?: readonly string[];
  readonly authorizationParams?: Readonly<Record<string, string>>;
  readonly connectionConfig?: Readonly<Record<string, unknown>>;
}

/** A connect session: what a Connection made through it gets, and what it may be made for. */
export interface ConnectSession {
  /** The end user a Connection made through the session belongs to (its organization included); null: none. */
  readonly endUser: EndUser | null;
  /** `organization` as given (also on endUser when there is one), so it can be echoed without an end user. */
  readonly organization?: { readonly id: string; readonly displayName?: string } | null;
  readonly tags: Readonly<Record<string, string>>;
  /** Integrations the session may connect; undefined: every integration. */
  readonly allowedIntegrations?: readonly string[];
  readonly integrationsConfigDefaults: Readonly<Record<string, IntegrationFlowDefaults>>;
  /** A reconnect session re-authorises this Connection and no other. */
  readonly reconnect?: { readonly integration: string; readonly connectionId: string };
  /** `overrides` and `webhook_url_override` of the request, kept and echoed as given (not acted on yet). */
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly webhookUrlOverride?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Connect sessions (POST /connect/sessions), keyed by a SHA-256 of their token: the database never holds a token
 * that could be used. SQLite and PostgreSQL implement it alike; expired sessions are swept on writes and never
 * returned.
 */
export interface ConnectSessionStore {
  /** Stores a session under `token` until `session.expiresAt`. @throws WorkerError `storage_error` */
  create(token: string, session: ConnectSession): Promise<void>;
  /** The live session of `token`, or undefined (unknown or expired). @throws WorkerError `storage_error` */
  get(token: string, now?: number): Promise<ConnectSession | undefined>;
  /** Ends a session (DELETE /connect/session); false when there was none. @throws WorkerError `storage_error` */
  delete(token: string): Promise<boolean>;
}

/** Session tokens look like Nango's (contract B.6): this prefix and 64 hex characters. */
export const CONNECT_SESSION_TOKEN = /^nango_connect_session_[0-9a-f]{64}$/;
