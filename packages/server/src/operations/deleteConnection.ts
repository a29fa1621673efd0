import type { DeleteConnectionMessage, NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { revokeToken } from '../oauth/revokeToken';
import { type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';

/** Longest wait for a provider's revocation endpoint (less when the integration's http_timeout_ms is lower). */
export const REVOCATION_TIMEOUT_MS = 10_000;

/**
 * Deletes a Connection and its credentials, then revokes its token at the provider when the catalog names a
 * revocation URL (see revokeToken). A revocation that fails or times out is logged and does not undo or block the
 * delete. The integration need not be declared any more, so Connections of a removed integration can still be
 * cleaned up (without revocation: nothing says where).
 * @throws WorkerError `connection_not_found`
 */
export async function deleteConnection(context: OperationContext, message: DeleteConnectionMessage): Promise<undefined> {
  const integration = context.integrations().integrations.get(message.integration);
  let connection: NangoConnection | undefined;
  if (integration?.provider?.revocation_url !== undefined && integration.authMode === 'OAUTH2') {
    try {
      connection = await context.store.get(message.integration, message.userId);
    } catch (error) {
      // Credentials that cannot be read (a key gone) cannot be revoked, but the Connection can still be deleted.
      context.logger?.warn(
        { err: error, integration: message.integration, userId: message.userId },
        'could not read the credentials to revoke; deleting the Connection without revocation',
      );
    }
  }
  if (!(await context.store.delete(message.integration, message.userId))) {
    throw connectionNotFound(message.integration, message.userId);
  }
  if (integration && connection) await revokeQuietly(context, integration, connection);
  return undefined;
}

async function revokeQuietly(
  context: OperationContext,
  integration: IntegrationConfig,
  connection: NangoConnection,
): Promise<void> {
  const where = { integration: connection.integration, userId: connection.userId, provider: integration.provider?.name };
  try {
    const outcome = await revokeToken(integration, connection, Math.min(integration.httpTimeoutMs, REVOCATION_TIMEOUT_MS));
    if (outcome.kind === 'revoked') context.logger?.info({ ...where, status: outcome.status }, 'token revoked at the provider');
    else context.logger?.info({ ...where, reason: outcome.reason }, 'token not revoked');
  } catch (error) {
    context.logger?.warn({ ...where, reason: (error as Error).message }, 'token revocation failed; the Connection is deleted');
  }
}
