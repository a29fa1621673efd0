import type { SetMetadataMessage } from '@nangohq/protocol';
import { changeMetadata } from './changeMetadata';
import type { HandlerContext } from './HandlerContext';

/**
 * Replaces the metadata (additionalConfig) of one or more Connections, all or none.
 * @throws WorkerError `connection_not_found` naming every missing user id (nothing is changed then)
 */
export function setMetadata(context: HandlerContext, message: SetMetadataMessage): Promise<undefined> {
  return changeMetadata(context, message.integration, message.userIds, () => message.metadata);
}
