import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { hashOf, type OAuthSession, type OAuthSessionStore } from '../OAuthSessionStore';
import { withStorageErrors } from './sqliteErrors';

/** OAuth sessions in SQLite (see OAuthSessionStore). */
export class SqliteOAuthSessionStore implements OAuthSessionStore {
  constructor(
    private readonly db: Database.Database,
    private readonly cipher: CredentialCipher,
  ) {}

  /** Stores a session under `state` until `expiresAt` (epoch ms). @throws WorkerError `storage_error` */
  async create(state: string, session: OAuthSession, expiresAt: number): Promise<void> {
    const hash = hashOf(state);
    const sealed = this.cipher.seal(JSON.stringify(session), hash);
    withStorageErrors(() => {
      // Expired sessions of abandoned flows are swept here, where a write happens anyway.
      this.db.prepare('DELETE FROM oauth_sessions WHERE expires_at < ?').run(Date.now());
      this.db
        .prepare('INSERT INTO oauth_sessions (state_hash, data, key_id, expires_at) VALUES (?, ?, ?, ?)')
        .run(hash, sealed.text, sealed.keyId, expiresAt);
    });
  }

  async peek(state: string): Promise<OAuthSession | undefined> {
    const hash = hashOf(state);
    const row = withStorageErrors(() =>
      this.db
        .prepare<[string], { data: string; expires_at: number }>(
          'SELECT data, expires_at FROM oauth_sessions WHERE state_hash = ?',
        )
        .get(hash),
    );
    if (!row || row.expires_at < Date.now()) return undefined;
    return JSON.parse(this.cipher.open(row.data, hash)) as OAuthSession;
  }

  /**
   * The session of `state`, removed in the same statement so that no second callback can use it; undefined when
   * there is none or it has expired. @throws WorkerError `storage_error`
   */
  async consume(state: string): Promise<OAuthSession | undefined> {
    const hash = hashOf(state);
    const row = withStorageErrors(() =>
      this.db
        .prepare<[string], { data: string; expires_at: number }>(
          'DELETE FROM oauth_sessions WHERE state_hash = ? RETURNING data, expires_at',
        )
        .get(hash),
    );
    if (!row || row.expires_at < Date.now()) return undefined;
    return JSON.parse(this.cipher.open(row.data, hash)) as OAuthSession;
  }

  async dropSealedWithOtherKeys(keyId: string): Promise<void> {
    withStorageErrors(() => this.db.prepare('DELETE FROM oauth_sessions WHERE key_id != ?').run(keyId));
  }
}
