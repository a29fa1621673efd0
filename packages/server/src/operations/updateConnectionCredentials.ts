import type { UpdateConnectionCredentialsMessage } from '@nangohq/protocol';
import { normaliseCredentials } from '../credentials/normaliseCredentials';
import { requireIntegration, type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';
import { recordingChange } from './recordChange';

/**
 * Replaces a Connection's credentials after checking them against the auth mode; a `connection` operation
 * (`updated`, change `credentials`), failed ones too.
 * @throws WorkerError `unknown_integration`, `invalid_credentials`, `connection_not_found`
 */
export async function updateConnectionCredentials(
  context: OperationContext,
  message: UpdateConnectionCredentialsMessage,
): Promise<undefined> {
  const change = {
    integration: message.integration,
    userId: message.userId,
    name: 'updated',
    fields: { change: 'credentials' },
  } as const;
  await recordingChange(context.log, change, async () => {
    const integration = requireIntegration(context, message.integration);
    const credentials = normaliseCredentials(integration.name, integration.authMode, message.credentials);
    if (!(await context.store.updateCredentials(integration.name, message.userId, credentials))) {
      throw connectionNotFound(integration.name, message.userId);
    }
  });
  return undefined;
}
