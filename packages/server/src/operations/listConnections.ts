import type { ListConnectionsMessage, NangoConnectionSummary } from '@nangohq/protocol';
import type { OperationContext } from './OperationContext';

/**
 * Every Connection, or every Connection of one user, in spec 4's shape (`connection_id` is the user id,
 * `provider` the integration); never credentials, and nothing is refreshed.
 */
export async function listConnections(
  context: OperationContext,
  message: ListConnectionsMessage,
): Promise<{ connections: NangoConnectionSummary[] }> {
  const found = await (message.userId === undefined ? context.store.listAll() : context.store.listByUserId(message.userId));
  return {
    connections: found.map((connection) => ({
      connection_id: connection.userId,
      provider: connection.integration,
      created: connection.dateCreated,
    })),
  };
}
