import type { UpdateConnectionCredentialsMessage } from '@nangohq/protocol';
import { normaliseCredentials } from '../credentials/normaliseCredentials';
import { requireIntegration, type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';
import { recordChange } from './recordChange';

/**
 * Replaces a Connection's credentials after checking them against the auth mode; a `connection` operation
 * (`updated`, change `credentials`), failed ones too.
 * @throws WorkerError `unknown_integration`, `invalid_credentials`, `connection_not_found`
 */
export async function updateConnectionCredentials(
  context: OperationContext,
  message: UpdateConnectionCredentialsMessage,
): Promise<undefined> {
  const startedAt = Date.now();
  const change = {
    integration: message.integration,
    userId: message.userId,
    name: 'updated',
    fields: { change: 'credentials' },
  } as const;
  try {
    const integration = requireIntegration(context, message.integration);
    const credentials = normaliseCredentials(integration.name, integration.authMode, message.credentials);
    if (!(await context.store.updateCredentials(integration.name, message.userId, credentials))) {
      throw connectionNotFound(integration.name, message.userId);
    }
  } catch (error) {
    recordChange(context.log, change, startedAt, error);
    throw error;
  }
  recordChange(context.log, change, startedAt);
  return undefined;
}
