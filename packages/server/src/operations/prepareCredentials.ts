import { randomUUID } from 'node:crypto';
import type { StoredCredentials } from '@nangohq/protocol';
import { fetchTokenAtCreation } from '../authModes/fetchToken';
import type { IntegrationConfig } from '../config/types';
import { normaliseCredentials } from '../authModes/normaliseCredentials';

/** Credentials given for a new Connection, or new ones for an existing Connection, by any door. */
export interface GivenCredentials {
  readonly userId: string;
  /** As the caller sent them, in the shape registerConnection takes. */
  readonly credentials: Record<string, unknown>;
  /** The Connection's config (per-tenant values the token request may need). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Token requests made while a Connection is being saved: the caller waits, so fewer and shorter than a refresh's. */
const AT_CREATION = { attempts: 2, backoffMs: 200, timeoutMs: 10_000 } as const;

/**
 * The credentials to store, made the same way for every door (registerConnection, updateConnectionCredentials,
 * POST /connections, the frontend routes): checked against the auth mode, then, for modes that fetch a token with
 * what the user gave (client credentials, two-step, JWT, …), the token fetched, so that nothing is stored that the
 * provider refuses.
 * @throws WorkerError `invalid_credentials`, `token_refresh_failed` (the provider did not answer: retryable)
 */
export async function prepareCredentials(integration: IntegrationConfig, given: GivenCredentials): Promise<StoredCredentials> {
  const credentials = normaliseCredentials(integration.name, integration.authMode, given.credentials);
  const now = new Date().toISOString();
  const connection = {
    uuid: randomUUID(),
    integration: integration.name,
    userId: given.userId,
    dateCreated: now,
    lastModified: now,
    additionalConfig: { ...given.config },
    authorization: 'ok' as const,
    credentials,
  };
  return fetchTokenAtCreation(integration, connection, AT_CREATION);
}
