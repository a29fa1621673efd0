import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { WebhookStore } from '../WebhookStore';

/** WebhookStore on Sqlite: not written yet (see ../WebhookStore.ts for its owner). */
export class SqliteWebhookStore implements WebhookStore {
  constructor(
    readonly db: Database.Database,
    readonly cipher: CredentialCipher,
  ) {}
}
