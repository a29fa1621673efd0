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
import { POSTGRES } from '../sql/dialect';
import { changeParams, resealParams, SqlIntegrationStore, updateParams } from '../sql/SqlIntegrationStore';
import type { Pg } from './Pg';
import { PgRunner } from './PgRunner';

/**
 * Integrations made at run time, in PostgreSQL (see SqlIntegrationStore for the statements): the writes that read
 * first lock the rows they read (`SELECT … FOR UPDATE`) in a transaction.
 */
export class PgIntegrationStore extends SqlIntegrationStore {
  constructor(
    private readonly pg: Pg,
    cipher: CredentialCipher,
  ) {
    super(new PgRunner(pg), POSTGRES, cipher);
  }

  async update(input: IntegrationInput): Promise<boolean> {
    return this.pg.transaction(async (client) => {
      const tx = new PgRunner(client);
      const found = await tx.get<IntegrationRow>(this.sql.rowForUpdate, [input.uniqueKey]);
      if (!found) return false;
      const webhookSecret = input.webhookSecret ?? openWebhookSecret(found, this.cipher);
      const sealed = sealSecrets(this.cipher, found.uuid, input.oauthClientSecret, input.appPrivateKey, webhookSecret);
      await tx.run(this.sql.update, updateParams(input, sealed, found.uuid));
      return true;
    });
  }

  async change(uniqueKey: string, change: IntegrationChange): Promise<boolean> {
    try {
      return await this.pg.transaction(async (client) => {
        const tx = new PgRunner(client);
        const row = await tx.get<IntegrationRow>(this.sql.rowForUpdate, [uniqueKey]);
        if (!row) return false;
        const next = changedRow(row, change, this.cipher);
        await tx.run(this.sql.change, changeParams(next, row.uuid));
        if (next.unique_key !== uniqueKey) await tx.run(this.sql.moveConnections, [next.unique_key, uniqueKey]);
        return true;
      });
    } catch (error) {
      throw this.asIntegrationExists(error, change.uniqueKey ?? uniqueKey);
    }
  }

  async reencrypt(cipher: CredentialCipher): Promise<number> {
    return this.pg.transaction(async (client) => {
      const tx = new PgRunner(client);
      const rows = await tx.all<IntegrationRow>(this.sql.sealedWithOtherKeys, [cipher.currentKeyId]);
      for (const row of rows) {
        await tx.run(this.sql.reseal, resealParams(resealedSecrets(row, cipher, cipher), row.uuid));
      }
      return rows.length;
    });
  }
}
