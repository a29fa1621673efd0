import { randomUUID } from 'node:crypto';
import type { NangoConnection, StoredCredentials } from '@nangohq/protocol';
import { fetchTokenAtCreation } from '../authModes/fetchToken';
import { authModeHandler } from '../authModes/handlers';
import type { IntegrationConfig } from '../config/types';
import { normaliseCredentials } from '../authModes/normaliseCredentials';
import { CredentialsRefused, verifyCredentials } from '../outbound/verifyCredentials';

/** Credentials given for a new Connection, or new ones for an existing Connection, by any door. */
export interface GivenCredentials {
  readonly userId: string;
  /** As the caller sent them, in the shape registerConnection takes. */
  readonly credentials: Record<string, unknown>;
  /** The Connection's config (per-tenant values the token request may need). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** How prepareCredentials checks with the provider. */
export interface PrepareOptions {
  /** Time limit of each call of the verification request. Default: DEFAULT_VERIFICATION_TIMEOUT_MS. */
  readonly verificationTimeoutMs?: number | undefined;
  /** Told when the provider accepted the credentials at its verification request (for the door's operation). */
  readonly onVerified?: (endpoint: string) => void;
}

/** Token requests made while a Connection is being saved: the caller waits, so fewer and shorter than a refresh's. */
const AT_CREATION = { attempts: 2, backoffMs: 200, timeoutMs: 10_000 } as const;

/**
 * The credentials to store, made the same way for every door (registerConnection, updateConnectionCredentials,
 * POST /connections, the frontend routes): checked against the auth mode; for modes that fetch a token with what the
 * user gave (client credentials, two-step, JWT, …), the token fetched; then, for every mode but OAuth, tried at the
 * catalog entry's verification request (`proxy.verification`) when it has one. So nothing is stored that the
 * provider refuses.
 * @throws WorkerError `invalid_credentials`, `token_refresh_failed` (the token endpoint did not answer: retryable),
 *   `credentials_rejected` (the verification request was refused: its status is in the message),
 *   `credentials_check_failed` (it got no verdict in time: retryable), `invalid_connection_config` (the verification
 *   request needs a per-tenant value the config lacks)
 */
export async function prepareCredentials(
  integration: IntegrationConfig,
  given: GivenCredentials,
  options: PrepareOptions = {},
): Promise<StoredCredentials> {
  const credentials = normaliseCredentials(integration.name, integration.authMode, given.credentials);
  const now = new Date().toISOString();
  const connection: NangoConnection = {
    uuid: randomUUID(),
    integration: integration.name,
    userId: given.userId,
    dateCreated: now,
    lastModified: now,
    additionalConfig: { ...given.config },
    authorization: 'ok',
    credentials,
  };
  const prepared = await fetchTokenAtCreation(integration, connection, AT_CREATION);
  if (authModeHandler(integration.authMode).issuedByProvider === true) return prepared;
  try {
    const outcome = await verifyCredentials(
      integration,
      { ...connection, credentials: prepared },
      { timeoutMs: options.verificationTimeoutMs },
    );
    if (outcome.status === 'verified') options.onVerified?.(outcome.endpoint);
  } catch (error) {
    if (error instanceof CredentialsRefused) throw error.toWorkerError();
    throw error;
  }
  return prepared;
}
