import type { DashboardSession, DashboardSessionStore } from '../DashboardSessionStore';
import { hashOf } from '../OAuthSessionStore';
import type { SqlRunner } from './SqlRunner';

/** The statements of the dashboard_sessions table, by name: one text for both databases, `?` placeholders. */
export const DASHBOARD_SESSION_SQL = {
  prune: 'DELETE FROM dashboard_sessions WHERE expires_at <= ?',
  create: `INSERT INTO dashboard_sessions (token_hash, user_name, csrf_token, created_at, expires_at)
    VALUES (?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT))`,
  get: `SELECT user_name, csrf_token, created_at, expires_at FROM dashboard_sessions
    WHERE token_hash = ? AND expires_at > CAST(? AS BIGINT)`,
  delete: 'DELETE FROM dashboard_sessions WHERE token_hash = ?',
} as const;

interface SessionRow {
  user_name: string;
  csrf_token: string;
  created_at: number | string;
  expires_at: number | string;
}

/** Dashboard sessions (see DashboardSessionStore) in SQL both databases run; the token is kept only as its hash. */
export class SqlDashboardSessionStore implements DashboardSessionStore {
  constructor(private readonly db: SqlRunner) {}

  async create(token: string, session: DashboardSession): Promise<void> {
    // Expired sessions are swept here, where a write happens anyway: sign-ins are rare, so the sweep costs nothing.
    await this.prune(session.createdAt);
    await this.db.run(DASHBOARD_SESSION_SQL.create, [
      hashOf(token),
      session.user,
      session.csrfToken,
      session.createdAt,
      session.expiresAt,
    ]);
  }

  async get(token: string, now = Date.now()): Promise<DashboardSession | undefined> {
    const row = await this.db.get<SessionRow>(DASHBOARD_SESSION_SQL.get, [hashOf(token), now]);
    if (!row) return undefined;
    // PostgreSQL hands BIGINT back as text.
    return {
      user: row.user_name,
      csrfToken: row.csrf_token,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
    };
  }

  async delete(token: string): Promise<boolean> {
    return (await this.db.run(DASHBOARD_SESSION_SQL.delete, [hashOf(token)])) > 0;
  }

  prune(now = Date.now()): Promise<number> {
    return this.db.run(DASHBOARD_SESSION_SQL.prune, [now]);
  }
}
