/**
 * What the Connection routes the Connections pages call answer (docs/http-api.md, and docs/dashboard.md for the
 * `/auth` route): only the fields the pages read. Kept apart from types.ts so each page family owns its wire types.
 * None of these holds a credential: the one reply that does (reveal credentials) is typed where it is read.
 */

/** An end user as the Connection routes send it (absent fields null). */
export interface EndUser {
  id: string;
  display_name: string | null;
  email: string | null;
  tags: Record<string, string>;
  organization: { id: string; display_name: string | null } | null;
}

/** One entry of `GET /connections`. `errors` holds an `auth` error when the user must authorise again. */
export interface ConnectionListItem {
  id: string;
  connection_id: string;
  provider_config_key: string;
  provider: string;
  errors: Array<{ type: string; log_id: string; message?: string }>;
  end_user: EndUser | null;
  tags: Record<string, string>;
  metadata: Record<string, unknown>;
  created: string;
}

/** `GET /connections/:connectionId/auth`: the Connection's authorisation, never a secret. */
export interface ConnectionAuth {
  connection_id: string;
  provider_config_key: string;
  auth_mode: string;
  authorization: 'ok' | 'needs_reauthorization';
  error: string | null;
  expires_at: string | null;
  refreshable: boolean;
  created_at: string;
  updated_at: string;
}

export type SyncState = 'RUNNING' | 'SUCCESS' | 'ERROR' | 'PAUSED' | 'STOPPED';

/** One entry of `GET /sync/status`. */
export interface SyncStatus {
  id: string;
  type: 'INITIAL' | 'INCREMENTAL';
  name: string;
  variant: string;
  connection_id: string;
  status: SyncState;
  frequency: string;
  finishedAt: string | null;
  nextScheduledSyncAt: string | null;
  latestExecutionStatus: SyncState | null;
  recordCount: Record<string, number>;
}

/** One entry of `GET /integrations` (`{ data: [...] }`), as the integration select needs it. */
export interface IntegrationSummary {
  unique_key: string;
  display_name: string;
  provider: string | null;
}

/** `POST /connect/sessions/reconnect`'s 201 body. */
export interface ConnectSessionReply {
  data: { token: string; connect_link: string; expires_at: string };
}
