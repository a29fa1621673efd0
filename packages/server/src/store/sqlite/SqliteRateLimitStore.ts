import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { LearnedLimit, RateLimitStore } from '../RateLimitStore';

/** RateLimitStore on Sqlite: not written yet (see ../RateLimitStore.ts for its owner). */
export class SqliteRateLimitStore implements RateLimitStore {
  constructor(
    readonly db: Database.Database,
    readonly cipher: CredentialCipher,
  ) {}

  get(_scope: string, _now?: number): Promise<LearnedLimit | undefined> {
    return Promise.resolve(undefined);
  }

  hold(_scope: string, _limit: LearnedLimit, _now?: number): Promise<void> {
    return Promise.reject(new Error('not written yet'));
  }
}
