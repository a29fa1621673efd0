import { randomUUID } from 'node:crypto';
import type { NangoConnection, StoredCredentials } from '@nangohq/protocol';
import { fetchTokenAtCreation } from '../authModes/fetchToken';
import { authModeHandler } from '../authModes/handlers';
import type { IntegrationConfig } from '../config/types';
import { normaliseCredentials } from '../authModes/normaliseCredentials';
import { CredentialsRefused, verifyCredentials } from '../outbound/verifyCredentials';
import { tokenResponseMetadata } from '../oauth/flow/providerMetadata';

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

/** What a door stores for a Connection it makes: the credentials, and its config with what the token answer adds. */
export interface PreparedConnection {
  readonly credentials: StoredCredentials;
  /**
   * The given config, plus the token answer's fields the catalog entry names in `token_response_metadata` (Salesforce's
   * `instance_url`) for modes that fetch a token at creation, as the OAuth 2 callback adds them: the answer's win.
   */
  readonly config: Readonly<Record<string, unknown>>;
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
  return (await prepareConnection(integration, given, options)).credentials;
}

/**
 * prepareCredentials, with the config the Connection is to be stored with (see PreparedConnection): for the doors
 * that make a Connection, so a token answer's `token_response_metadata` reaches it (and the verification request,
 * whose base URL may be made of it).
 * @throws as prepareCredentials
 */
export async function prepareConnection(
  integration: IntegrationConfig,
  given: GivenCredentials,
  options: PrepareOptions = {},
): Promise<PreparedConnection> {
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
  const config = { ...given.config, ...answerMetadata(integration, credentials, prepared) };
  if (authModeHandler(integration.authMode).issuedByProvider === true) return { credentials: prepared, config };
  try {
    const outcome = await verifyCredentials(
      integration,
      { ...connection, additionalConfig: { ...config }, credentials: prepared },
      { timeoutMs: options.verificationTimeoutMs },
    );
    if (outcome.status === 'verified') options.onVerified?.(outcome.endpoint);
  } catch (error) {
    if (error instanceof CredentialsRefused) throw error.toWorkerError();
    throw error;
  }
  return { credentials: prepared, config };
}

/** The catalog's `token_response_metadata` fields of the answer a token fetched at creation came with (its `raw`). */
function answerMetadata(
  integration: IntegrationConfig,
  given: StoredCredentials,
  prepared: StoredCredentials,
): Record<string, unknown> {
  const raw = prepared['raw'];
  if (prepared === given || !integration.provider || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  return tokenResponseMetadata(integration.provider, raw as Record<string, unknown>);
}
