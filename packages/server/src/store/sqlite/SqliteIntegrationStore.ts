import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { WorkerError } from '../../errors';
import {
  changedRow,
  openIntegrationRow,
  type IntegrationChange,
  type IntegrationInput,
  type IntegrationRow,
  type IntegrationStore,
  type StoredIntegration,
} from '../IntegrationStore';
import { withStorageErrors } from './sqliteErrors';

/** Integrations made at run time, in SQLite (see IntegrationStore). */
export class SqliteIntegrationStore implements IntegrationStore {
  constructor(
    private readonly db: Database.Database,
    private readonly cipher: CredentialCipher,
  ) {}

  /** Every integration made at run time, by key. @throws WorkerError `storage_error` */
  async list(): Promise<StoredIntegration[]> {
    const rows = withStorageErrors(() =>
      this.db.prepare<[], IntegrationRow>('SELECT * FROM integrations ORDER BY unique_key').all(),
    );
    return rows.map((row) => openIntegrationRow(row, this.cipher));
  }

  /** One integration, or undefined. @throws WorkerError `storage_error` */
  async get(uniqueKey: string): Promise<StoredIntegration | undefined> {
    const row = withStorageErrors(() =>
      this.db.prepare<[string], IntegrationRow>('SELECT * FROM integrations WHERE unique_key = ?').get(uniqueKey),
    );
    return row && openIntegrationRow(row, this.cipher);
  }

  /** Stores a new integration. @throws WorkerError `integration_exists`, `storage_error` */
  async insert(input: IntegrationInput): Promise<void> {
    const uuid = randomUUID();
    const sealed = this.cipher.seal(input.oauthClientSecret, uuid);
    const now = new Date().toISOString();
    try {
      withStorageErrors(() =>
        this.db
          .prepare(
            `INSERT INTO integrations (unique_key, uuid, provider, oauth_client_id, oauth_client_secret, key_id, oauth_scopes,
               display_name, extra, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.uniqueKey,
            uuid,
            input.provider,
            input.oauthClientId,
            sealed.text,
            sealed.keyId,
            input.oauthScopes,
            input.displayName ?? null,
            JSON.stringify(input.extra ?? {}),
            now,
            now,
          ),
      );
    } catch (error) {
      throw asIntegrationExists(error, input.uniqueKey);
    }
  }

  /** Replaces an integration's provider, client and scopes; false when there is none. @throws WorkerError `storage_error` */
  async update(input: IntegrationInput): Promise<boolean> {
    return withStorageErrors(() =>
      this.db
        .transaction(() => {
          const found = this.db
            .prepare<[string], { uuid: string }>('SELECT uuid FROM integrations WHERE unique_key = ?')
            .get(input.uniqueKey);
          if (!found) return false;
          const sealed = this.cipher.seal(input.oauthClientSecret, found.uuid);
          this.db
            .prepare(
              `UPDATE integrations SET provider = ?, oauth_client_id = ?, oauth_client_secret = ?, key_id = ?, oauth_scopes = ?, updated_at = ?
             WHERE uuid = ?`,
            )
            .run(
              input.provider,
              input.oauthClientId,
              sealed.text,
              sealed.keyId,
              input.oauthScopes,
              new Date().toISOString(),
              found.uuid,
            );
          return true;
        })
        .immediate(),
    );
  }

  /** Applies a partial change, renaming with its Connections. @throws WorkerError `integration_exists`, `storage_error` */
  async change(uniqueKey: string, change: IntegrationChange): Promise<boolean> {
    try {
      return withStorageErrors(() =>
        this.db
          .transaction(() => {
            const row = this.db
              .prepare<[string], IntegrationRow>('SELECT * FROM integrations WHERE unique_key = ?')
              .get(uniqueKey);
            if (!row) return false;
            const next = changedRow(row, change, this.cipher);
            this.db
              .prepare(
                `UPDATE integrations SET unique_key = ?, oauth_client_id = ?, oauth_client_secret = ?, key_id = ?, oauth_scopes = ?,
                   display_name = ?, extra = ?, updated_at = ? WHERE uuid = ?`,
              )
              .run(
                next.unique_key,
                next.oauth_client_id,
                next.oauth_client_secret,
                next.key_id,
                next.oauth_scopes,
                next.display_name,
                next.extra,
                next.updated_at,
                row.uuid,
              );
            if (next.unique_key !== uniqueKey) {
              this.db.prepare('UPDATE connections SET integration = ? WHERE integration = ?').run(next.unique_key, uniqueKey);
            }
            return true;
          })
          .immediate(),
      );
    } catch (error) {
      throw asIntegrationExists(error, change.uniqueKey ?? uniqueKey);
    }
  }

  /** Deletes an integration; false when there was none. @throws WorkerError `storage_error` */
  async delete(uniqueKey: string): Promise<boolean> {
    return withStorageErrors(() => this.db.prepare('DELETE FROM integrations WHERE unique_key = ?').run(uniqueKey).changes > 0);
  }

  async keyIdsInUse(): Promise<string[]> {
    return withStorageErrors(() => this.db.prepare('SELECT DISTINCT key_id FROM integrations').pluck().all() as string[]);
  }

  async reencrypt(cipher: CredentialCipher): Promise<number> {
    return withStorageErrors(() =>
      this.db
        .transaction(() => {
          const rows = this.db
            .prepare<[string], IntegrationRow>('SELECT * FROM integrations WHERE key_id != ?')
            .all(cipher.currentKeyId);
          const write = this.db.prepare('UPDATE integrations SET oauth_client_secret = ?, key_id = ? WHERE uuid = ?');
          for (const row of rows) {
            const sealed = cipher.seal(cipher.open(row.oauth_client_secret, row.uuid), row.uuid);
            write.run(sealed.text, sealed.keyId, row.uuid);
          }
          return rows.length;
        })
        .immediate(),
    );
  }
}

/** A unique-key violation as `integration_exists`; any other error as it is. */
function asIntegrationExists(error: unknown, key: string): unknown {
  const code = ((error as { cause?: { code?: unknown } }).cause ?? {}).code;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new WorkerError('integration_exists', `An integration '${key}' already exists`);
  }
  return error;
}
