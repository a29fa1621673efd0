import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import {
  changedRow,
  openWebhookSecret,
  resealedSecrets,
  sealSecrets,
  type IntegrationChange,
  type IntegrationInput,
  type IntegrationRow,
} from '../IntegrationStore';
import { SQLITE } from '../sql/dialect';
import { changeParams, resealParams, SqlIntegrationStore, updateParams } from '../sql/SqlIntegrationStore';
import { SqliteRunner } from './SqliteRunner';

/**
 * Integrations made at run time, in SQLite (see SqlIntegrationStore for the statements): the writes that read first
 * run in one immediate transaction, which SQLite's single write lock keeps to itself.
 */
export class SqliteIntegrationStore extends SqlIntegrationStore {
  private readonly sqlite: SqliteRunner;

  constructor(db: Database.Database, cipher: CredentialCipher) {
    const runner = SqliteRunner.of(db);
    super(runner, SQLITE, cipher);
    this.sqlite = runner;
  }

  async update(input: IntegrationInput): Promise<boolean> {
    return this.sqlite.transaction(() => {
      const found = this.sqlite.getNow<IntegrationRow>(this.sql.rowForUpdate, [input.uniqueKey]);
      if (!found) return false;
      const webhookSecret = input.webhookSecret ?? openWebhookSecret(found, this.cipher);
      const sealed = sealSecrets(this.cipher, found.uuid, input.oauthClientSecret, input.appPrivateKey, webhookSecret);
      this.sqlite.runNow(this.sql.update, updateParams(input, sealed, found.uuid));
      return true;
    });
  }

  async change(uniqueKey: string, change: IntegrationChange): Promise<boolean> {
    try {
      return this.sqlite.transaction(() => {
        const row = this.sqlite.getNow<IntegrationRow>(this.sql.rowForUpdate, [uniqueKey]);
        if (!row) return false;
        const next = changedRow(row, change, this.cipher);
        this.sqlite.runNow(this.sql.change, changeParams(next, row.uuid));
        if (next.unique_key !== uniqueKey) this.sqlite.runNow(this.sql.moveConnections, [next.unique_key, uniqueKey]);
        return true;
      });
    } catch (error) {
      throw this.asIntegrationExists(error, change.uniqueKey ?? uniqueKey);
    }
  }

  async reencrypt(cipher: CredentialCipher): Promise<number> {
    return this.sqlite.transaction(() => {
      const rows = this.sqlite.allNow<IntegrationRow>(this.sql.sealedWithOtherKeys, [cipher.currentKeyId]);
      for (const row of rows) {
        this.sqlite.runNow(this.sql.reseal, resealParams(resealedSecrets(row, cipher, cipher), row.uuid));
      }
      return rows.length;
    });
  }
}
