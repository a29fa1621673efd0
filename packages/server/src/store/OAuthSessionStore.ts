import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../encryption/CredentialCipher';
import { withStorageErrors } from './storageErrors';

/** What /oauth/connect remembers for its callback, bound to the `state` value it sent the provider. */
export interface OAuthSession {
  readonly providerConfigKey: string;
  readonly connectionId: string;
  readonly authMode: 'OAUTH2' | 'OAUTH1';
  /** The redirect_uri sent to the provider; the token request must repeat it exactly. */
  readonly callbackUrl: string;
  /** The Connection's config: the `params[…]` of the connect request. */
  readonly connectionConfig: Readonly<Record<string, string>>;
  /** PKCE code verifier (OAuth 2, unless the provider disables PKCE). */
  readonly codeVerifier?: string;
  /** The temporary token (OAuth 1.0a), which the callback must bring back. */
  readonly requestToken?: string;
  /** The temporary token's secret (OAuth 1.0a), needed to sign the access token request. */
  readonly requestTokenSecret?: string;
  /** The frontend's WebSocket, when the result goes there rather than to a postMessage page. */
  readonly wsClientId?: string;
}

/**
 * OAuth sessions in the database, so that a callback finds its session after a restart or on another API process.
 * The key is a SHA-256 of `state` (the database never holds a value that could complete a flow), the data is
 * sealed with the credential cipher bound to that hash, and `consume` deletes the row as it reads it, so a
 * `state` works once. Methods are async for the same reason as IntegrationStore's.
 */
export class OAuthSessionStore {
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
}

function hashOf(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
