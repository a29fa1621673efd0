import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { AsyncActionStore } from '../AsyncActionStore';

/** AsyncActionStore on Sqlite: not written yet (see ../AsyncActionStore.ts for its owner). */
export class SqliteAsyncActionStore implements AsyncActionStore {
  constructor(
    readonly db: Database.Database,
    readonly cipher: CredentialCipher,
  ) {}
}
