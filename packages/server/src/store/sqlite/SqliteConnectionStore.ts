import type Database from 'better-sqlite3';
import type { StoredCredentials } from '@nangohq/protocol';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { SQLITE } from '../sql/dialect';
import { SqlConnectionStore } from '../sql/SqlConnectionStore';
import { SqliteRunner } from './SqliteRunner';

/**
 * Connections in SQLite (see SqlConnectionStore for the statements). Statements are prepared once and run
 * synchronously (better-sqlite3); the methods are async only to share the interface with PostgreSQL, and cost one
 * resolved promise each. The writes that read first run in one immediate transaction: SQLite's single write lock
 * keeps every other writer out until they commit.
 */
export class SqliteConnectionStore extends SqlConnectionStore {
  private readonly sqlite: SqliteRunner;

  constructor(db: Database.Database, cipher: CredentialCipher) {
    const runner = SqliteRunner.of(db);
    super(runner, SQLITE, cipher);
    this.sqlite = runner;
  }

  async updateCredentials(integration: string, userId: string, credentials: StoredCredentials): Promise<boolean> {
    return this.writing(async () => {
      return this.sqlite.transaction(() => {
        const found = this.sqlite.getNow<{ uuid: string }>(this.sql.uuidForUpdate, [integration, userId]);
        if (!found) return false;
        const sealed = this.cipher.seal(JSON.stringify(credentials), found.uuid); // bound to its row: needs the uuid
        this.sqlite.runNow(this.sql.updateCredentials, [sealed.text, sealed.keyId, new Date().toISOString(), found.uuid]);
        return true;
      });
    });
  }

  async updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  ): Promise<string[]> {
    return this.writing(async () => {
      return this.sqlite.transaction((): string[] => {
        const found = userIds.map((userId) => ({
          userId,
          row: this.sqlite.getNow<{ additional_config: string }>(this.sql.configOf, [integration, userId]),
        }));
        const missing = found.filter(({ row }) => !row).map(({ userId }) => userId);
        if (missing.length > 0) return missing;
        const now = new Date().toISOString();
        for (const { userId, row } of found) {
          const current = JSON.parse(row?.additional_config ?? '{}') as Record<string, unknown>;
          this.sqlite.runNow(this.sql.updateConfig, [JSON.stringify(change(current, userId)), now, integration, userId]);
        }
        return [];
      });
    });
  }
}
