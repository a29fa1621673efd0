import type { GetMetadataMessage } from '@nangohq/protocol';
import { connectionNotFound, type HandlerContext } from './HandlerContext';

/** A Connection's metadata, which is its additionalConfig. @throws WorkerError `connection_not_found` */
export async function getMetadata(context: HandlerContext, message: GetMetadataMessage): Promise<Record<string, unknown>> {
  const metadata = await context.store.getConfig(message.integration, message.userId);
  if (!metadata) throw connectionNotFound(message.integration, message.userId);
  return metadata;
}
