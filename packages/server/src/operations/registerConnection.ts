import type { RegisterConnectionMessage } from '@nangohq/protocol';
import { prepareCredentials } from './prepareCredentials';
import { requireIntegration, type OperationContext } from './OperationContext';
import { saveConnection } from './saveConnection';

/**
 * Stores a new Connection, then sends its `auth` creation webhook.
 * @throws WorkerError `unknown_integration`, `invalid_credentials`, `token_refresh_failed` (a mode that fetches a
 *   token at creation, whose provider did not answer), `metadata_too_large` (additionalConfig over
 *   NANGO_MAX_METADATA_BYTES), `connection_exists`
 */
export async function registerConnection(context: OperationContext, message: RegisterConnectionMessage): Promise<undefined> {
  const integration = requireIntegration(context, message.integration);
  const config = message.additionalConfig ?? {};
  const given = { userId: message.userId, credentials: message.credentials, config };
  await saveConnection(context, {
    integration: integration.name,
    userId: message.userId,
    credentials: await prepareCredentials(integration, given),
    config,
    configName: 'additionalConfig',
    mode: 'create',
    authMode: integration.authMode,
  });
  return undefined;
}
