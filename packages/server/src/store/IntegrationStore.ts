import type { CredentialCipher } from '../encryption/CredentialCipher';

/** An integration made at run time through the /config API, its client secret decrypted. */
export interface StoredIntegration {
  /** The provider config key: the integration's name, unique across integrations.yaml and the database. */
  readonly uniqueKey: string;
  /** The catalog entry it uses, e.g. `github`. */
  readonly provider: string;
  readonly oauthClientId: string;
  readonly oauthClientSecret: string;
  /** Scopes as the user gave them: a comma-separated list (spec 3's CLI form). */
  readonly oauthScopes: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What is written: everything but the timestamps. */
export type IntegrationInput = Omit<StoredIntegration, 'createdAt' | 'updatedAt'>;

/**
 * Integrations made at run time through the /config API, in the `integrations` table. The client secret is sealed
 * with the credential cipher, bound to the row's uuid. SQLite and PostgreSQL implement it alike.
 */
export interface IntegrationStore {
  /** Every integration made at run time, by key. @throws WorkerError `storage_error` */
  list(): Promise<StoredIntegration[]>;
  /** One integration, or undefined. @throws WorkerError `storage_error` */
  get(uniqueKey: string): Promise<StoredIntegration | undefined>;
  /** Stores a new integration. @throws WorkerError `integration_exists`, `storage_error` */
  insert(input: IntegrationInput): Promise<void>;
  /** Replaces an integration's provider, client and scopes; false when there is none. @throws WorkerError `storage_error` */
  update(input: IntegrationInput): Promise<boolean>;
  /** Deletes an integration; false when there was none. @throws WorkerError `storage_error` */
  delete(uniqueKey: string): Promise<boolean>;
  /**
   * Key ids the stored client secrets are sealed with: a start refuses a database whose secrets need a key it lacks
   * (like Connections, they need the old key in NANGO_ENCRYPTION_OLD_KEYS until `rotate-key` has run).
   */
  keyIdsInUse(): Promise<string[]>;
  /** For `rotate-key`: re-encrypts every client secret with `cipher`'s current key; returns how many. */
  reencrypt(cipher: CredentialCipher): Promise<number>;
}

/** A row of the `integrations` table, as both stores read it. */
export interface IntegrationRow {
  unique_key: string;
  uuid: string;
  provider: string;
  oauth_client_id: string;
  oauth_client_secret: string;
  key_id: string;
  oauth_scopes: string;
  created_at: string;
  updated_at: string;
}

/** A stored row as callers see it, its client secret decrypted. */
export function openIntegrationRow(row: IntegrationRow, cipher: CredentialCipher): StoredIntegration {
  return {
    uniqueKey: row.unique_key,
    provider: row.provider,
    oauthClientId: row.oauth_client_id,
    oauthClientSecret: cipher.open(row.oauth_client_secret, row.uuid),
    oauthScopes: row.oauth_scopes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
