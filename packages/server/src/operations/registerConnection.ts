import type { RegisterConnectionMessage } from '@nangohq/protocol';
import { normaliseCredentials } from '../credentials/normaliseCredentials';
import { requireIntegration, type OperationContext } from './OperationContext';
import { saveConnection } from './saveConnection';

/**
 * Stores a new Connection, then sends its `auth` creation webhook.
 * @throws WorkerError `unknown_integration`, `invalid_credentials`, `metadata_too_large` (additionalConfig over
 *   NANGO_MAX_METADATA_BYTES), `connection_exists`
 */
export async function registerConnection(context: OperationContext, message: RegisterConnectionMessage): Promise<undefined> {
  const integration = requireIntegration(context, message.integration);
  await saveConnection(context, {
    integration: integration.name,
    userId: message.userId,
    credentials: normaliseCredentials(integration.name, integration.authMode, message.credentials),
    config: message.additionalConfig ?? {},
    configName: 'additionalConfig',
    mode: 'create',
    authMode: integration.authMode,
  });
  return undefined;
}
