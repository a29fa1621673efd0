import type { Pg } from './Pg';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { AsyncActionStore } from '../AsyncActionStore';

/** AsyncActionStore on Pg: not written yet (see ../AsyncActionStore.ts for its owner). */
export class PgAsyncActionStore implements AsyncActionStore {
  constructor(
    readonly pg: Pg,
    readonly cipher: CredentialCipher,
  ) {}
}
