import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { ConnectSession, ConnectSessionStore } from '../ConnectSessionStore';
import { hashOf } from '../OAuthSessionStore';
import { withStorageErrors } from './sqliteErrors';

/**
 * Connect sessions in SQLite (see ConnectSessionStore). The data is plain JSON: it holds who the end user is and
 * what they may connect, nothing that opens a door; the token that does is kept only as its hash.
 */
export class SqliteConnectSessionStore implements ConnectSessionStore {
  constructor(
    readonly db: Database.Database,
    readonly cipher: CredentialCipher,
  ) {}

  async create(token: string, session: ConnectSession): Promise<void> {
    withStorageErrors(() => {
      // Expired sessions are swept here, where a write happens anyway.
      this.db.prepare('DELETE FROM connect_sessions WHERE expires_at < ?').run(Date.now());
      this.db
        .prepare('INSERT INTO connect_sessions (token_hash, data, created_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(hashOf(token), JSON.stringify(session), session.createdAt, session.expiresAt);
    });
  }

  async get(token: string, now = Date.now()): Promise<ConnectSession | undefined> {
    const row = withStorageErrors(() =>
      this.db
        .prepare<[string, number], { data: string }>('SELECT data FROM connect_sessions WHERE token_hash = ? AND expires_at > ?')
        .get(hashOf(token), now),
    );
    return row ? (JSON.parse(row.data) as ConnectSession) : undefined;
  }

  async delete(token: string): Promise<boolean> {
    const result = withStorageErrors(() =>
      this.db.prepare('DELETE FROM connect_sessions WHERE token_hash = ?').run(hashOf(token)),
    );
    return result.changes > 0;
  }
}
