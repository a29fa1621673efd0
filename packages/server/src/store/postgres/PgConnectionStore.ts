import type { StoredCredentials } from '@nangohq/protocol';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { POSTGRES } from '../sql/dialect';
import { SqlConnectionStore } from '../sql/SqlConnectionStore';
import type { Pg } from './Pg';
import { PgRunner } from './PgRunner';

/**
 * Connections in PostgreSQL (see SqlConnectionStore for the statements). The writes that read first lock the rows
 * they read (`SELECT … FOR UPDATE`) in a transaction, so no other writer of those rows interleaves.
 */
export class PgConnectionStore extends SqlConnectionStore {
  constructor(
    private readonly pg: Pg,
    cipher: CredentialCipher,
  ) {
    super(new PgRunner(pg), POSTGRES, cipher);
  }

  async updateCredentials(integration: string, userId: string, credentials: StoredCredentials): Promise<boolean> {
    return this.pg.transaction(async (client) => {
      const tx = new PgRunner(client);
      const found = await tx.get<{ uuid: string }>(this.sql.uuidForUpdate, [integration, userId]);
      if (!found) return false;
      const sealed = this.cipher.seal(JSON.stringify(credentials), found.uuid); // bound to its row: needs the uuid
      await tx.run(this.sql.updateCredentials, [sealed.text, sealed.keyId, new Date().toISOString(), found.uuid]);
      return true;
    });
  }

  async updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  ): Promise<string[]> {
    return this.pg.transaction(async (client) => {
      const tx = new PgRunner(client);
      // The rows are locked in one order (by user id) so that two merges of overlapping users cannot deadlock.
      const { rows } = await client.query<{ user_id: string; additional_config: string }>(
        `SELECT user_id, additional_config FROM connections WHERE integration = $1 AND user_id = ANY($2)
         ORDER BY user_id FOR UPDATE`,
        [integration, userIds],
      );
      const found = new Map(rows.map((row) => [row.user_id, row.additional_config]));
      const missing = userIds.filter((userId) => !found.has(userId));
      if (missing.length > 0) return missing;
      const now = new Date().toISOString();
      for (const userId of userIds) {
        const current = JSON.parse(found.get(userId) ?? '{}') as Record<string, unknown>;
        await tx.run(this.sql.updateConfig, [JSON.stringify(change(current, userId)), now, integration, userId]);
      }
      return [];
    });
  }
}
