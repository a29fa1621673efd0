import type { GetConnectionsForUserIdMessage, NangoConnectionPublic } from '@nangohq/protocol';
import type { OperationContext } from './OperationContext';

/** Every Connection of a user, without credentials; [] when none. */
export async function getConnectionsForUserId(
  context: OperationContext,
  message: GetConnectionsForUserIdMessage,
): Promise<NangoConnectionPublic[]> {
  return context.store.listByUserId(message.userId);
}
