import type { GetMetadataMessage } from '@nangohq/protocol';
import { type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';

/** A Connection's metadata, which is its additionalConfig. @throws WorkerError `connection_not_found` */
export async function getMetadata(context: OperationContext, message: GetMetadataMessage): Promise<Record<string, unknown>> {
  const metadata = await context.store.getConfig(message.integration, message.userId);
  if (!metadata) throw connectionNotFound(message.integration, message.userId);
  return metadata;
}
