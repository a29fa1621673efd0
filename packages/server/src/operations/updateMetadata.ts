import type { UpdateMetadataMessage } from '@nangohq/protocol';
import { changeMetadata } from './changeMetadata';
import type { OperationContext } from './OperationContext';

/**
 * Merges metadata into one or more Connections, all or none: the given top-level keys replace theirs, other keys
 * stay (a shallow merge, as spec 5 describes: a nested object is replaced whole, not merged).
 * @throws WorkerError `connection_not_found` naming every missing user id (nothing is changed then)
 */
export function updateMetadata(context: OperationContext, message: UpdateMetadataMessage): Promise<undefined> {
  return changeMetadata(context, message.integration, message.userIds, (current) => ({ ...current, ...message.metadata }));
}
