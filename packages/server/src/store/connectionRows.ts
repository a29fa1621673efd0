import type { NangoConnectionPublic } from '@nangohq/protocol';
import type { CredentialCipher } from '../encryption/CredentialCipher';
import type { StoredOutcome } from './Store';

/** A row of the connections table, as both stores keep it. */
export interface ConnectionRow {
  uuid: string;
  integration: string;
  user_id: string;
  date_created: string;
  last_modified: string;
  credentials: string;
  additional_config: string;
  auth_status: 'ok' | 'needs_reauthorization';
  auth_error: string | null;
  refresh_failed_until: number | null;
}

/** The columns a Connection without credentials is read from. */
export type PublicRow = Omit<ConnectionRow, 'credentials' | 'refresh_failed_until'>;

export const PUBLIC_COLUMNS =
  'uuid, integration, user_id, date_created, last_modified, additional_config, auth_status, auth_error';

/** A Connection without credentials, from its row. */
export function toPublic(row: PublicRow): NangoConnectionPublic {
  return {
    uuid: row.uuid,
    integration: row.integration,
    userId: row.user_id,
    dateCreated: row.date_created,
    lastModified: row.last_modified,
    additionalConfig: JSON.parse(row.additional_config) as Record<string, unknown>,
    authorization: row.auth_status ?? 'ok',
    ...(row.auth_error ? { authorizationError: row.auth_error } : {}),
  };
}

/** The error for a second Connection of the same user on the same integration, worded the same on both stores. */
export function connectionExistsMessage(integration: string, userId: string): string {
  return `A Connection for user '${userId}' on integration '${integration}' already exists; use updateConnectionCredentials or updateConnectionConfig to change it.`;
}

/**
 * What an idempotency outcome's ciphertext is bound to: its key in its scope, so an outcome copied into another
 * key's row does not decrypt. JSON keeps the three parts apart whatever they contain.
 */
function outcomeBinding(integration: string, userId: string, key: string): string {
  return `idempotency:${JSON.stringify([integration, userId, key])}`;
}

/** Encrypts a kept outcome like credentials: results of actions may carry secrets. */
export function sealOutcome(
  cipher: CredentialCipher,
  scope: { integration: string; userId: string; key: string },
  outcome: StoredOutcome,
): string {
  return cipher.seal(JSON.stringify(outcome), outcomeBinding(scope.integration, scope.userId, scope.key)).text;
}

/** Decrypts a kept outcome. @throws WorkerError `storage_error` when it does not authenticate or its key is gone */
export function openOutcome(
  cipher: CredentialCipher,
  scope: { integration: string; userId: string; key: string },
  text: string,
): StoredOutcome {
  return JSON.parse(cipher.open(text, outcomeBinding(scope.integration, scope.userId, scope.key))) as StoredOutcome;
}
