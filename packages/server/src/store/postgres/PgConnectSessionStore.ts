import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { ConnectSession, ConnectSessionStore } from '../ConnectSessionStore';
import { hashOf } from '../OAuthSessionStore';
import type { Pg } from './Pg';

/** Connect sessions in PostgreSQL (see ConnectSessionStore and SqliteConnectSessionStore). */
export class PgConnectSessionStore implements ConnectSessionStore {
  constructor(
    readonly pg: Pg,
    readonly cipher: CredentialCipher,
  ) {}

  async create(token: string, session: ConnectSession): Promise<void> {
    // Expired sessions are swept here, where a write happens anyway.
    await this.pg.query('DELETE FROM connect_sessions WHERE expires_at < $1', [Date.now()]);
    await this.pg.query('INSERT INTO connect_sessions (token_hash, data, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      hashOf(token),
      JSON.stringify(session),
      session.createdAt,
      session.expiresAt,
    ]);
  }

  async get(token: string, now = Date.now()): Promise<ConnectSession | undefined> {
    const { rows } = await this.pg.query<{ data: string }>(
      'SELECT data FROM connect_sessions WHERE token_hash = $1 AND expires_at > $2',
      [hashOf(token), now],
    );
    return rows[0] ? (JSON.parse(rows[0].data) as ConnectSession) : undefined;
  }

  async delete(token: string): Promise<boolean> {
    const { rowCount } = await this.pg.query('DELETE FROM connect_sessions WHERE token_hash = $1', [hashOf(token)]);
    return (rowCount ?? 0) > 0;
  }
}
