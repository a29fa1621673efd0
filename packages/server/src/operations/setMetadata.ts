import type { SetMetadataMessage } from '@nangohq/protocol';
import { changeMetadata } from './changeMetadata';
import type { OperationContext } from './OperationContext';

/**
 * Replaces the metadata (additionalConfig) of one or more Connections, all or none.
 * @throws WorkerError `connection_not_found` naming every missing user id (nothing is changed then)
 */
export function setMetadata(context: OperationContext, message: SetMetadataMessage): Promise<undefined> {
  return changeMetadata(context, message.integration, message.userIds, () => message.metadata);
}
