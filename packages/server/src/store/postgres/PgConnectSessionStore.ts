import type { Pg } from './Pg';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { ConnectSession, ConnectSessionStore } from '../ConnectSessionStore';

/** ConnectSessionStore on Pg: not written yet (see ../ConnectSessionStore.ts for its owner). */
export class PgConnectSessionStore implements ConnectSessionStore {
  constructor(
    readonly pg: Pg,
    readonly cipher: CredentialCipher,
  ) {}

  create(_token: string, _session: ConnectSession): Promise<void> {
    return Promise.reject(new Error('not written yet'));
  }

  get(_token: string): Promise<ConnectSession | undefined> {
    return Promise.reject(new Error('not written yet'));
  }

  delete(_token: string): Promise<boolean> {
    return Promise.reject(new Error('not written yet'));
  }
}
