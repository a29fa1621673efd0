import { randomUUID } from 'node:crypto';
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
import type { Pg } from './Pg';
import { UNIQUE_VIOLATION } from './pgErrors';

/** Integrations made at run time, in PostgreSQL (see IntegrationStore). */
export class PgIntegrationStore implements IntegrationStore {
  constructor(
    private readonly pg: Pg,
    private readonly cipher: CredentialCipher,
  ) {}

  async list(): Promise<StoredIntegration[]> {
    const { rows } = await this.pg.query<IntegrationRow>('SELECT * FROM integrations ORDER BY unique_key');
    return rows.map((row) => openIntegrationRow(row, this.cipher));
  }

  async get(uniqueKey: string): Promise<StoredIntegration | undefined> {
    const { rows } = await this.pg.query<IntegrationRow>('SELECT * FROM integrations WHERE unique_key = $1', [uniqueKey]);
    return rows[0] && openIntegrationRow(rows[0], this.cipher);
  }

  async insert(input: IntegrationInput): Promise<void> {
    const uuid = randomUUID();
    const sealed = this.cipher.seal(input.oauthClientSecret, uuid);
    const now = new Date().toISOString();
    try {
      await this.pg.query(
        `INSERT INTO integrations (unique_key, uuid, provider, oauth_client_id, oauth_client_secret, key_id, oauth_scopes,
           display_name, extra, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
        [
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
        ],
      );
    } catch (error) {
      if ((error as { cause?: { code?: unknown } }).cause?.code === UNIQUE_VIOLATION) {
        throw new WorkerError('integration_exists', `An integration '${input.uniqueKey}' already exists`);
      }
      throw error;
    }
  }

  async update(input: IntegrationInput): Promise<boolean> {
    return this.pg.transaction(async (client) => {
      const found = await client.query<{ uuid: string }>('SELECT uuid FROM integrations WHERE unique_key = $1 FOR UPDATE', [
        input.uniqueKey,
      ]);
      const uuid = found.rows[0]?.uuid;
      if (uuid === undefined) return false;
      const sealed = this.cipher.seal(input.oauthClientSecret, uuid);
      await client.query(
        `UPDATE integrations SET provider = $1, oauth_client_id = $2, oauth_client_secret = $3, key_id = $4, oauth_scopes = $5,
           updated_at = $6 WHERE uuid = $7`,
        [input.provider, input.oauthClientId, sealed.text, sealed.keyId, input.oauthScopes, new Date().toISOString(), uuid],
      );
      return true;
    });
  }

  async change(uniqueKey: string, change: IntegrationChange): Promise<boolean> {
    try {
      return await this.pg.transaction(async (client) => {
        const found = await client.query<IntegrationRow>('SELECT * FROM integrations WHERE unique_key = $1 FOR UPDATE', [
          uniqueKey,
        ]);
        const row = found.rows[0];
        if (!row) return false;
        const next = changedRow(row, change, this.cipher);
        await client.query(
          `UPDATE integrations SET unique_key = $1, oauth_client_id = $2, oauth_client_secret = $3, key_id = $4, oauth_scopes = $5,
             display_name = $6, extra = $7, updated_at = $8 WHERE uuid = $9`,
          [
            next.unique_key,
            next.oauth_client_id,
            next.oauth_client_secret,
            next.key_id,
            next.oauth_scopes,
            next.display_name,
            next.extra,
            next.updated_at,
            row.uuid,
          ],
        );
        if (next.unique_key !== uniqueKey) {
          await client.query('UPDATE connections SET integration = $1 WHERE integration = $2', [next.unique_key, uniqueKey]);
        }
        return true;
      });
    } catch (error) {
      if ((error as { cause?: { code?: unknown } }).cause?.code === UNIQUE_VIOLATION) {
        throw new WorkerError('integration_exists', `An integration '${change.uniqueKey ?? uniqueKey}' already exists`);
      }
      throw error;
    }
  }

  async delete(uniqueKey: string): Promise<boolean> {
    const result = await this.pg.query('DELETE FROM integrations WHERE unique_key = $1', [uniqueKey]);
    return (result.rowCount ?? 0) > 0;
  }

  async keyIdsInUse(): Promise<string[]> {
    const { rows } = await this.pg.query<{ key_id: string }>('SELECT DISTINCT key_id FROM integrations');
    return rows.map((row) => row.key_id);
  }

  async reencrypt(cipher: CredentialCipher): Promise<number> {
    return this.pg.transaction(async (client) => {
      const { rows } = await client.query<IntegrationRow>('SELECT * FROM integrations WHERE key_id != $1 FOR UPDATE', [
        cipher.currentKeyId,
      ]);
      for (const row of rows) {
        const sealed = cipher.seal(cipher.open(row.oauth_client_secret, row.uuid), row.uuid);
        await client.query('UPDATE integrations SET oauth_client_secret = $1, key_id = $2 WHERE uuid = $3', [
          sealed.text,
          sealed.keyId,
          row.uuid,
        ]);
      }
      return rows.length;
    });
  }
}
