import type { GetMetadataMessage } from '@nangohq/protocol';
import { EncodedJson } from '../broker/EncodedJson';
import { connectionNotFound } from '../errors';
import { type OperationContext } from './OperationContext';

/**
 * A Connection's metadata, which is its additionalConfig, sent as the JSON text stored (never parsed here).
 * @throws WorkerError `connection_not_found`
 */
export async function getMetadata(context: OperationContext, message: GetMetadataMessage): Promise<EncodedJson> {
  const json = await context.store.configJson(message.integration, message.userId);
  if (json === undefined) throw connectionNotFound(message.integration, message.userId);
  return new EncodedJson(json);
}
