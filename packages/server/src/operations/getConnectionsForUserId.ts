import type { GetConnectionsForUserIdMessage, NangoConnectionPublic } from '@nangohq/protocol';
import type { HandlerContext } from './HandlerContext';

/** Every Connection of a user, without credentials; [] when none. */
export async function getConnectionsForUserId(
  context: HandlerContext,
  message: GetConnectionsForUserIdMessage,
): Promise<NangoConnectionPublic[]> {
  return context.store.listByUserId(message.userId);
}
