import type { EndUser } from './Store';

/** Defaults a session gives one integration's flow (contract C.3 `integrations_config_defaults`). */
export interface IntegrationFlowDefaults {
  readonly userScopes?: readonly string[];
  readonly authorizationParams?: Readonly<Record<string, string>>;
  readonly connectionConfig?: Readonly<Record<string, unknown>>;
}

/** A connect session: what a Connection made through it gets, and what it may be made for. */
export interface ConnectSession {
  readonly endUser: EndUser | null;
  readonly tags: Readonly<Record<string, string>>;
  /** Integrations the session may connect; undefined: every integration. */
  readonly allowedIntegrations?: readonly string[];
  readonly integrationsConfigDefaults: Readonly<Record<string, IntegrationFlowDefaults>>;
  /** A reconnect session re-authorises this Connection and no other. */
  readonly reconnect?: { readonly integration: string; readonly connectionId: string };
  /** Epoch ms. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Connect sessions (POST /connect/sessions), keyed by a SHA-256 of their token: the database never holds a token
 * that could be used. SQLite and PostgreSQL implement it alike; expired sessions are swept on writes.
 * OWNER: the connections helper (branch h-connections) fills in the methods.
 */
export interface ConnectSessionStore {
  /** Stores a session under `token`. @throws WorkerError `storage_error` */
  create(token: string, session: ConnectSession): Promise<void>;
  /** The live session of `token`, or undefined (unknown or expired). @throws WorkerError `storage_error` */
  get(token: string): Promise<ConnectSession | undefined>;
  /** Ends a session (after a reconnect, say); false when there was none. */
  delete(token: string): Promise<boolean>;
}
