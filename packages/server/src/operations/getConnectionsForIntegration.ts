import type { GetConnectionsForIntegrationMessage, NangoConnectionPublic } from '@nangohq/protocol';
import type { HandlerContext } from './HandlerContext';

/** Every Connection of an integration, without credentials; [] when none. */
export async function getConnectionsForIntegration(
  context: HandlerContext,
  message: GetConnectionsForIntegrationMessage,
): Promise<NangoConnectionPublic[]> {
  return context.store.listByIntegration(message.integration);
}
