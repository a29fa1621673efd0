/** A dashboard sign-in: who signed in, the CSRF token their changes carry, and how long it lasts. */
export interface DashboardSession {
  /** The dashboard user (NANGO_DASHBOARD_USER), or DASHBOARD_KEY_USER for a sign-in with the secret key. */
  readonly user: string;
  /** Sent back in `X-CSRF-Token` by every change the session makes (not a secret on its own: the cookie is). */
  readonly csrfToken: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Dashboard sessions (POST /dashboard/session), keyed by a SHA-256 of their token, so the database never holds a
 * token that could be used, and shared by every API process on the database: a sign-in holds across processes and
 * restarts, and a sign-out ends it everywhere. SQLite and PostgreSQL implement it alike; expired sessions are never
 * returned, and are swept on every sign-in.
 */
export interface DashboardSessionStore {
  /** Stores a session under `token` until `session.expiresAt`. @throws WorkerError `storage_error` */
  create(token: string, session: DashboardSession): Promise<void>;
  /** The live session of `token`, or undefined (unknown, expired or signed out). @throws WorkerError `storage_error` */
  get(token: string, now?: number): Promise<DashboardSession | undefined>;
  /** Ends a session (sign-out); false when there was none. @throws WorkerError `storage_error` */
  delete(token: string): Promise<boolean>;
  /** Deletes the sessions expired at `now`; how many. @throws WorkerError `storage_error` */
  prune(now?: number): Promise<number>;
}

/** The user a secret-key sign-in is recorded as. */
export const DASHBOARD_KEY_USER = 'secret key';
