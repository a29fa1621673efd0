import type { GetConnectionMessage, NangoConnection, StoredCredentials } from '@nangohq/protocol';
import { copyConnection } from '../store/storedConfig';
import { freshConnection } from './freshConnection';
import type { OperationContext } from './OperationContext';

/**
 * One Connection with fresh credentials (refreshed if needed, or always with `forceRefresh`). The refresh token
 * is left out of `credentials` and `credentials.raw` unless `refreshToken` is set: it outlives the access token,
 * so it should not travel unless the app really wants it.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, and the refresher's errors
 */
export async function getConnection(context: OperationContext, message: GetConnectionMessage): Promise<NangoConnection> {
  const { connection } = await freshConnection(context, message.integration, message.userId, message.forceRefresh);
  if (message.refreshToken === true) return connection;
  return copyConnection(connection, { credentials: withoutRefreshToken(connection.credentials) });
}

/** Credentials without the refresh token, in their fields and in `raw`. */
export function withoutRefreshToken(credentials: StoredCredentials): StoredCredentials {
  const raw: Record<string, unknown> = { ...credentials.raw };
  delete raw['refresh_token'];
  const fields: StoredCredentials = { ...credentials, raw };
  delete fields['refresh_token'];
  return fields;
}
