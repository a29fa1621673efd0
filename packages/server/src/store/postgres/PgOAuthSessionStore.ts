import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { hashOf, type OAuthSession, type OAuthSessionStore } from '../OAuthSessionStore';
import type { Pg } from './Pg';

/** OAuth sessions in PostgreSQL (see OAuthSessionStore). */
export class PgOAuthSessionStore implements OAuthSessionStore {
  constructor(
    private readonly pg: Pg,
    private readonly cipher: CredentialCipher,
  ) {}

  async create(state: string, session: OAuthSession, expiresAt: number): Promise<void> {
    const hash = hashOf(state);
    const sealed = this.cipher.seal(JSON.stringify(session), hash);
    // Expired sessions of abandoned flows are swept here, where a write happens anyway.
    await this.pg.query('DELETE FROM oauth_sessions WHERE expires_at < $1', [Date.now()]);
    await this.pg.query('INSERT INTO oauth_sessions (state_hash, data, key_id, expires_at) VALUES ($1, $2, $3, $4)', [
      hash,
      sealed.text,
      sealed.keyId,
      expiresAt,
    ]);
  }

  async peek(state: string): Promise<OAuthSession | undefined> {
    const hash = hashOf(state);
    const { rows } = await this.pg.query<{ data: string; expires_at: string }>(
      'SELECT data, expires_at FROM oauth_sessions WHERE state_hash = $1',
      [hash],
    );
    const row = rows[0];
    if (!row || Number(row.expires_at) < Date.now()) return undefined;
    return JSON.parse(this.cipher.open(row.data, hash)) as OAuthSession;
  }

  async consume(state: string): Promise<OAuthSession | undefined> {
    const hash = hashOf(state);
    const { rows } = await this.pg.query<{ data: string; expires_at: string }>(
      'DELETE FROM oauth_sessions WHERE state_hash = $1 RETURNING data, expires_at',
      [hash],
    );
    const row = rows[0];
    if (!row || Number(row.expires_at) < Date.now()) return undefined;
    return JSON.parse(this.cipher.open(row.data, hash)) as OAuthSession;
  }

  async dropSealedWithOtherKeys(keyId: string): Promise<void> {
    await this.pg.query('DELETE FROM oauth_sessions WHERE key_id != $1', [keyId]);
  }
}
