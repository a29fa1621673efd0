import type { GetConnectionsForIntegrationMessage, NangoConnectionPublic } from '@nangohq/protocol';
import type { OperationContext } from './OperationContext';

/** Every Connection of an integration, without credentials; [] when none. */
export async function getConnectionsForIntegration(
  context: OperationContext,
  message: GetConnectionsForIntegrationMessage,
): Promise<NangoConnectionPublic[]> {
  return context.store.listByIntegration(message.integration);
}
