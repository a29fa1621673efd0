import { canFetchToken } from '../authModes/canFetchToken';
import { connectionNotFound } from '../errors';
import { requireIntegration, type OperationContext } from './OperationContext';

/** The state of a Connection's authorization, as `GET /connections/:connectionId/auth` answers it: no secret. */
export interface ConnectionAuthorization {
  connection_id: string;
  provider_config_key: string;
  /** The integration's auth mode (OAUTH2, API_KEY, …). */
  auth_mode: string;
  /** `needs_reauthorization` once the provider rejected the refresh token: the user must authorise again. */
  authorization: 'ok' | 'needs_reauthorization';
  /** The provider's reason for the mark (stored scrubbed of secrets), else null. */
  error: string | null;
  /** When the access token expires (ISO 8601); null when the credentials say nothing of it. */
  expires_at: string | null;
  /**
   * Whether the server can fetch a new token by itself: its mode's grant lacks nothing (an OAuth 2 refresh token, an
   * AWS role to assume, …).
   */
  refreshable: boolean;
  created_at: string;
  updated_at: string;
}

/**
 * What a Connection's credentials say about its authorization, read without refreshing them and without returning
 * any of them: the answer is built field by field from what is not secret.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, `storage_error`
 */
export async function connectionAuthorization(
  context: OperationContext,
  integrationName: string,
  userId: string,
): Promise<ConnectionAuthorization> {
  const integration = requireIntegration(context, integrationName);
  const connection = await context.store.get(integrationName, userId);
  if (!connection) throw connectionNotFound(integrationName, userId);
  const { credentials } = connection;
  const expiresAt = credentials['expires_at'];
  return {
    connection_id: connection.userId,
    provider_config_key: connection.integration,
    auth_mode: integration.authMode,
    authorization: connection.authorization,
    error: connection.authorizationError ?? null,
    expires_at: typeof expiresAt === 'string' ? expiresAt : null,
    refreshable: canFetchToken(integration, connection),
    created_at: connection.dateCreated,
    updated_at: connection.lastModified,
  };
}
