import type { SetMetadataMessage } from '@nangohq/protocol';
import { changeMetadata } from './changeMetadata';
import { checkMetadataSize } from './checkMetadataSize';
import type { OperationContext } from './OperationContext';

/**
 * Replaces the metadata (additionalConfig) of one or more Connections, all or none.
 * @throws WorkerError `metadata_too_large` (over NANGO_MAX_METADATA_BYTES), `connection_not_found` naming every
 *   missing user id (nothing is changed then)
 */
export function setMetadata(context: OperationContext, message: SetMetadataMessage): Promise<undefined> {
  const check = () => checkMetadataSize(message.metadata, context.maxMetadataBytes, 'metadata');
  return changeMetadata(context, message.integration, message.userIds, () => message.metadata, check);
}
