import type { UpdateMetadataMessage } from '@nangohq/protocol';
import { changeMetadata } from './changeMetadata';
import { checkMetadataSize } from './checkMetadataSize';
import type { OperationContext } from './OperationContext';

/**
 * Merges metadata into one or more Connections, all or none: the given top-level keys replace theirs, other keys
 * stay (a shallow merge, as spec 5 describes: a nested object is replaced whole, not merged).
 * @throws WorkerError `metadata_too_large` (the keys given, or a Connection's metadata once they are merged in, over
 *   NANGO_MAX_METADATA_BYTES), `connection_not_found` naming every missing user id (nothing is changed then)
 */
export function updateMetadata(context: OperationContext, message: UpdateMetadataMessage): Promise<undefined> {
  const limit = context.maxMetadataBytes;
  const merge = (current: Record<string, unknown>, userId: string) => {
    const merged = { ...current, ...message.metadata };
    checkMetadataSize(merged, limit, `the metadata of user '${userId}' on integration '${message.integration}' once merged`);
    return merged;
  };
  // The keys given alone over the limit: refused before the database is touched.
  const check = () => checkMetadataSize(message.metadata, limit, 'metadata');
  return changeMetadata(context, message.integration, message.userIds, merge, check);
}
