import type { Pg } from './Pg';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { WebhookStore } from '../WebhookStore';

/** WebhookStore on Pg: not written yet (see ../WebhookStore.ts for its owner). */
export class PgWebhookStore implements WebhookStore {
  constructor(
    readonly pg: Pg,
    readonly cipher: CredentialCipher,
  ) {}
}
