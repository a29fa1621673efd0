import type { UpdateConnectionConfigMessage } from '@nangohq/protocol';
import { type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';

/**
 * Replaces a Connection's additionalConfig. The integration need not be declared any more: a Connection
 * outlives an edit of integrations.yaml, and its config is the app's own data.
 * @throws WorkerError `connection_not_found`
 */
export async function updateConnectionConfig(
  context: OperationContext,
  message: UpdateConnectionConfigMessage,
): Promise<undefined> {
  if (!(await context.store.updateConfig(message.integration, message.userId, message.additionalConfig))) {
    throw connectionNotFound(message.integration, message.userId);
  }
  return undefined;
}
