import type { DeleteConnectionMessage, NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { RevocationError, revokeToken } from '../oauth/revokeToken';
import { type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';
import { recordChange } from './recordChange';
import { runOnEvents } from './runOnEvents';

/** Longest wait for a provider's revocation endpoint (less when the integration's http_timeout_ms is lower). */
export const REVOCATION_TIMEOUT_MS = 10_000;

/**
 * Runs the integration's deployed pre-connection-deletion functions (runPreDeletion: a failure does not stop the
 * delete), deletes the Connection and its credentials, then revokes its token at the provider when the catalog names a
 * revocation URL (see revokeToken). A revocation that fails or times out is logged and does not undo or block the
 * delete. The integration need not be declared any more, so Connections of a removed integration can still be
 * cleaned up (without revocation: nothing says where). The delete is a `connection` operation (`deleted`), the
 * revocation a `revocation` operation pointing at it.
 * @throws WorkerError `connection_not_found`
 */
export async function deleteConnection(context: OperationContext, message: DeleteConnectionMessage): Promise<undefined> {
  const startedAt = Date.now();
  const change = { integration: message.integration, userId: message.userId, name: 'deleted', fields: {} } as const;
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
  await runPreDeletion(context, message);
  try {
    if (!(await context.store.delete(message.integration, message.userId))) {
      throw connectionNotFound(message.integration, message.userId);
    }
  } catch (error) {
    recordChange(context.log, change, startedAt, error);
    throw error;
  }
  const deletion = recordChange(context.log, change, startedAt);
  if (integration && connection) await revokeQuietly(context, integration, connection, deletion);
  return undefined;
}

/**
 * Runs the integration's deployed pre-connection-deletion functions while the Connection and its credentials still
 * exist (they may call the provider with them, to revoke a token or remove a subscription), and waits for them, as
 * Nango does. Their failures are their `event` operations'; the deletion goes on whatever they did.
 */
async function runPreDeletion(context: OperationContext, message: DeleteConnectionMessage): Promise<void> {
  try {
    await runOnEvents(context, { event: 'pre-connection-deletion', integration: message.integration, userId: message.userId });
  } catch (error) {
    context.logger?.warn(
      { err: error, integration: message.integration, userId: message.userId },
      'could not run the pre-connection-deletion functions; deleting the Connection all the same',
    );
  }
}

/** Revokes the token, recorded as a `revocation` operation: `success` (revoked, or skipped with the reason), `failed`. */
async function revokeQuietly(
  context: OperationContext,
  integration: IntegrationConfig,
  connection: NangoConnection,
  deletion: string,
): Promise<void> {
  const where = { integration: connection.integration, userId: connection.userId, provider: integration.provider?.name };
  const operation = context.log.start({
    kind: 'revocation',
    name: integration.provider?.name ?? integration.name,
    integration: connection.integration,
    connectionId: connection.userId,
    parentId: deletion || undefined,
  });
  try {
    const outcome = await revokeToken(integration, connection, Math.min(integration.httpTimeoutMs, REVOCATION_TIMEOUT_MS));
    if (outcome.kind === 'revoked') {
      context.logger?.info({ ...where, status: outcome.status }, 'token revoked at the provider');
      operation.set({ revoked: true, status: outcome.status });
    } else {
      context.logger?.info({ ...where, reason: outcome.reason }, 'token not revoked');
      operation.set({ revoked: false });
      operation.message('info', `not revoked: ${outcome.reason}`);
    }
    operation.end('success');
  } catch (error) {
    // RevocationError's message holds the status and the provider's error, scrubbed of the tokens and secret sent.
    const reason = error instanceof RevocationError ? error.message : 'unexpected error (see the server log)';
    context.logger?.warn({ ...where, reason: (error as Error).message }, 'token revocation failed; the Connection is deleted');
    const timedOut = reason.startsWith('no answer within');
    operation.set({ revoked: false });
    operation.end(timedOut ? 'timed_out' : 'failed', {
      code: 'revocation_failed',
      message: `token revocation failed: ${reason}`,
    });
  }
}
