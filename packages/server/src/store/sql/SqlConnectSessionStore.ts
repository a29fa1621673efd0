import type { ConnectSession, ConnectSessionStore } from '../ConnectSessionStore';
import { hashOf } from '../OAuthSessionStore';
import type { SqlRunner } from './SqlRunner';

/** The statements of the connect_sessions table, by name: one text for both databases, `?` placeholders. */
export const CONNECT_SESSION_SQL = {
  sweep: 'DELETE FROM connect_sessions WHERE expires_at < ?',
  create: 'INSERT INTO connect_sessions (token_hash, data, created_at, expires_at) VALUES (?, ?, ?, ?)',
  get: 'SELECT data FROM connect_sessions WHERE token_hash = ? AND expires_at > ?',
  delete: 'DELETE FROM connect_sessions WHERE token_hash = ?',
} as const;

/**
 * Connect sessions (see ConnectSessionStore) in SQL both databases run. The data is plain JSON: it holds who the end
 * user is and what they may connect, nothing that opens a door; the token that does is kept only as its hash.
 */
export class SqlConnectSessionStore implements ConnectSessionStore {
  constructor(private readonly db: SqlRunner) {}

  async create(token: string, session: ConnectSession): Promise<void> {
    // Expired sessions are swept here, where a write happens anyway.
    await this.db.run(CONNECT_SESSION_SQL.sweep, [Date.now()]);
    await this.db.run(CONNECT_SESSION_SQL.create, [hashOf(token), JSON.stringify(session), session.createdAt, session.expiresAt]);
  }

  async get(token: string, now = Date.now()): Promise<ConnectSession | undefined> {
    const row = await this.db.get<{ data: string }>(CONNECT_SESSION_SQL.get, [hashOf(token), now]);
    return row ? (JSON.parse(row.data) as ConnectSession) : undefined;
  }

  async delete(token: string): Promise<boolean> {
    return (await this.db.run(CONNECT_SESSION_SQL.delete, [hashOf(token)])) > 0;
  }
}
