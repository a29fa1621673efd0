import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { hashOf, type OAuthSession, type OAuthSessionStore } from '../OAuthSessionStore';
import type { SqlRunner } from './SqlRunner';

/** The statements of the oauth_sessions table, by name: one text for both databases, `?` placeholders. */
export const OAUTH_SESSION_SQL = {
  sweep: 'DELETE FROM oauth_sessions WHERE expires_at < ?',
  create: 'INSERT INTO oauth_sessions (state_hash, data, key_id, expires_at) VALUES (?, ?, ?, ?)',
  peek: 'SELECT data, expires_at FROM oauth_sessions WHERE state_hash = ?',
  /** Read and deleted in one statement: a `state` completes one flow. */
  consume: 'DELETE FROM oauth_sessions WHERE state_hash = ? RETURNING data, expires_at',
  dropSealedWithOtherKeys: 'DELETE FROM oauth_sessions WHERE key_id != ?',
} as const;

/** OAuth sessions (see OAuthSessionStore) in SQL both databases run. */
export class SqlOAuthSessionStore implements OAuthSessionStore {
  constructor(
    private readonly db: SqlRunner,
    private readonly cipher: CredentialCipher,
  ) {}

  async create(state: string, session: OAuthSession, expiresAt: number): Promise<void> {
    const hash = hashOf(state);
    const sealed = this.cipher.seal(JSON.stringify(session), hash);
    // Expired sessions of abandoned flows are swept here, where a write happens anyway.
    await this.db.run(OAUTH_SESSION_SQL.sweep, [Date.now()]);
    await this.db.run(OAUTH_SESSION_SQL.create, [hash, sealed.text, sealed.keyId, expiresAt]);
  }

  async peek(state: string): Promise<OAuthSession | undefined> {
    return this.opened(state, OAUTH_SESSION_SQL.peek);
  }

  async consume(state: string): Promise<OAuthSession | undefined> {
    return this.opened(state, OAUTH_SESSION_SQL.consume);
  }

  async dropSealedWithOtherKeys(keyId: string): Promise<void> {
    await this.db.run(OAUTH_SESSION_SQL.dropSealedWithOtherKeys, [keyId]);
  }

  /** The live session `sql` reads (peek) or takes (consume) for `state`; undefined when none, or it has expired. */
  private async opened(state: string, sql: string): Promise<OAuthSession | undefined> {
    const hash = hashOf(state);
    const row = await this.db.get<{ data: string; expires_at: number }>(sql, [hash]);
    if (!row || Number(row.expires_at) < Date.now()) return undefined;
    return JSON.parse(this.cipher.open(row.data, hash)) as OAuthSession;
  }
}
