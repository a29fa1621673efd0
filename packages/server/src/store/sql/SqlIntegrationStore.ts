import { randomUUID } from 'node:crypto';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { WorkerError } from '../../errors';
import {
  openIntegrationRow,
  sealSecrets,
  type IntegrationChange,
  type SealedSecrets,
  type IntegrationInput,
  type IntegrationRow,
  type IntegrationStore,
  type StoredIntegration,
} from '../IntegrationStore';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/** The statements of the integrations table, by name: one text for both databases, `?` placeholders. */
export function integrationSql(d: SqlDialect) {
  return {
    list: 'SELECT * FROM integrations ORDER BY unique_key',
    get: 'SELECT * FROM integrations WHERE unique_key = ?',
    insert: `INSERT INTO integrations (unique_key, uuid, provider, oauth_client_id, oauth_client_secret, app_private_key,
        webhook_secret, key_id, oauth_scopes, display_name, extra, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    update: `UPDATE integrations SET provider = ?, oauth_client_id = ?, oauth_client_secret = ?, app_private_key = ?,
        webhook_secret = ?, key_id = ?, oauth_scopes = ?, updated_at = ?
      WHERE uuid = ?`,
    /** Read-then-write: the row is locked on PostgreSQL. */
    rowForUpdate: `SELECT * FROM integrations WHERE unique_key = ?${d.forUpdate}`,
    change: `UPDATE integrations SET unique_key = ?, oauth_client_id = ?, oauth_client_secret = ?, app_private_key = ?,
        webhook_secret = ?, key_id = ?, oauth_scopes = ?, display_name = ?, extra = ?, updated_at = ?
      WHERE uuid = ?`,
    /** A rename takes the integration's Connections with it. */
    moveConnections: 'UPDATE connections SET integration = ? WHERE integration = ?',
    delete: 'DELETE FROM integrations WHERE unique_key = ?',
    keyIdsInUse: 'SELECT DISTINCT key_id FROM integrations',
    /** Read-then-write: the rows are locked on PostgreSQL. */
    sealedWithOtherKeys: `SELECT * FROM integrations WHERE key_id != ?${d.forUpdate}`,
    reseal: 'UPDATE integrations SET oauth_client_secret = ?, app_private_key = ?, webhook_secret = ?, key_id = ? WHERE uuid = ?',
  };
}

/**
 * Integrations made at run time (see IntegrationStore), in SQL both databases run. The writes that read first are
 * each database's own (SqliteIntegrationStore, PgIntegrationStore): they differ in how they keep other writers out.
 */
export abstract class SqlIntegrationStore implements IntegrationStore {
  protected readonly sql: ReturnType<typeof integrationSql>;

  constructor(
    protected readonly db: SqlRunner,
    protected readonly dialect: SqlDialect,
    protected readonly cipher: CredentialCipher,
  ) {
    this.sql = integrationSql(dialect);
  }

  abstract update(input: IntegrationInput): Promise<boolean>;
  abstract change(uniqueKey: string, change: IntegrationChange): Promise<boolean>;
  abstract reencrypt(cipher: CredentialCipher): Promise<number>;

  async list(): Promise<StoredIntegration[]> {
    return (await this.db.all<IntegrationRow>(this.sql.list)).map((row) => openIntegrationRow(row, this.cipher));
  }

  async get(uniqueKey: string): Promise<StoredIntegration | undefined> {
    const row = await this.db.get<IntegrationRow>(this.sql.get, [uniqueKey]);
    return row && openIntegrationRow(row, this.cipher);
  }

  async insert(input: IntegrationInput): Promise<void> {
    const uuid = randomUUID();
    const sealed = sealSecrets(this.cipher, uuid, input.oauthClientSecret, input.appPrivateKey, input.webhookSecret);
    const now = new Date().toISOString();
    try {
      await this.db.run(this.sql.insert, [
        input.uniqueKey,
        uuid,
        input.provider,
        input.oauthClientId,
        sealed.oauth_client_secret,
        sealed.app_private_key,
        sealed.webhook_secret,
        sealed.key_id,
        input.oauthScopes,
        input.displayName ?? null,
        JSON.stringify(input.extra ?? {}),
        now,
        now,
      ]);
    } catch (error) {
      throw this.asIntegrationExists(error, input.uniqueKey);
    }
  }

  async delete(uniqueKey: string): Promise<boolean> {
    return (await this.db.run(this.sql.delete, [uniqueKey])) > 0;
  }

  async keyIdsInUse(): Promise<string[]> {
    return (await this.db.all<{ key_id: string }>(this.sql.keyIdsInUse)).map((row) => row.key_id);
  }

  /** A unique-key violation as `integration_exists`; any other error as it is. */
  protected asIntegrationExists(error: unknown, key: string): unknown {
    return this.dialect.isUniqueViolation(error)
      ? new WorkerError('integration_exists', `An integration '${key}' already exists`)
      : error;
  }
}

/** The values of the `update` statement. */
export function updateParams(input: IntegrationInput, sealed: SealedSecrets, uuid: string): unknown[] {
  return [
    input.provider,
    input.oauthClientId,
    sealed.oauth_client_secret,
    sealed.app_private_key,
    sealed.webhook_secret,
    sealed.key_id,
    input.oauthScopes,
    new Date().toISOString(),
    uuid,
  ];
}

/** The values of the `reseal` statement. */
export function resealParams(sealed: SealedSecrets, uuid: string): unknown[] {
  return [sealed.oauth_client_secret, sealed.app_private_key, sealed.webhook_secret, sealed.key_id, uuid];
}

/** The values of the `change` statement, from the row as changed. */
export function changeParams(next: IntegrationRow, uuid: string): unknown[] {
  return [
    next.unique_key,
    next.oauth_client_id,
    next.oauth_client_secret,
    next.app_private_key,
    next.webhook_secret,
    next.key_id,
    next.oauth_scopes,
    next.display_name,
    next.extra,
    next.updated_at,
    uuid,
  ];
}
