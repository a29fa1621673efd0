import type { DeleteConnectionMessage } from '@nangohq/protocol';
import { connectionNotFound, type HandlerContext } from './HandlerContext';

/**
 * Deletes a Connection and its credentials. The integration need not be declared any more, so Connections of a
 * removed integration can still be cleaned up.
 * @throws WorkerError `connection_not_found`
 */
export async function deleteConnection(context: HandlerContext, message: DeleteConnectionMessage): Promise<undefined> {
  if (!(await context.store.delete(message.integration, message.userId))) {
    throw connectionNotFound(message.integration, message.userId);
  }
  return undefined;
}
