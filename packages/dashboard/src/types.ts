/**
 * What the routes the dashboard calls answer, as documented in docs/http-api.md (the Nango-compatible routes) and
 * docs/dashboard.md (the session routes and this server's own additions). Only the fields the pages read.
 */

export interface SessionState {
  signedIn: boolean;
  /** No NANGO_SECRET_KEY and no dashboard user: the API (and so the dashboard) is open. */
  open: boolean;
  /** Which sign-in forms to offer. */
  methods: Array<'secret_key' | 'password'>;
  user?: string;
  csrfToken?: string;
  expiresAt?: string;
}

export type OperationStatus = 'running' | 'success' | 'failed' | 'cancelled' | 'timed_out';
export type OperationKind =
  'connect' | 'refresh' | 'revocation' | 'connection' | 'action' | 'sync' | 'proxy' | 'webhook' | 'event';

/** One operation as the logs routes send it (docs/observability.md). */
export interface Operation {
  id: string;
  kind: OperationKind;
  name: string;
  integration: string | null;
  connection_id: string | null;
  end_user_id: string | null;
  status: OperationStatus;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  error: { code: string; message: string } | null;
  fields: Record<string, string | number | boolean | null>;
  trace_id: string | null;
  parent_id: string | null;
}

export interface OperationMessage {
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
  fields?: Record<string, unknown>;
}
