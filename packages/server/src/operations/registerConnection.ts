import type { RegisterConnectionMessage } from '@nangohq/protocol';
import { checkConnectionConfig } from './checkConnectionConfig';
import { prepareConnection } from './prepareCredentials';
import { requireIntegration, type OperationContext } from './OperationContext';
import { saveConnection } from './saveConnection';

/**
 * Stores a new Connection, then sends its `auth` creation webhook. `requestKey` identifies the request across
 * deliveries: when the broker delivers it again after a worker stored its Connection (that worker's ack or reply lost
 * with its connection), the registration is the same one and is answered success, without a second webhook.
 * @throws WorkerError `unknown_integration`, `invalid_connection_config` (a per-tenant value outside its catalog
 *   field's rules), `invalid_credentials`, `token_refresh_failed` (a mode that fetches a token at creation, whose
 *   provider did not answer), `credentials_rejected` / `credentials_check_failed` (the catalog's verification request
 *   refused them / gave no verdict), `metadata_too_large` (additionalConfig over NANGO_MAX_METADATA_BYTES),
 *   `connection_exists`
 */
export async function registerConnection(
  context: OperationContext,
  message: RegisterConnectionMessage,
  requestKey?: string,
): Promise<undefined> {
  const integration = requireIntegration(context, message.integration);
  const config = message.additionalConfig ?? {};
  checkConnectionConfig(integration.provider, config, { where: (key) => `additionalConfig.${key}`, complete: false });
  const given = { userId: message.userId, credentials: message.credentials, config };
  const prepared = await prepareConnection(integration, given, { verificationTimeoutMs: context.verificationTimeoutMs });
  await saveConnection(context, {
    integration: integration.name,
    userId: message.userId,
    credentials: prepared.credentials,
    config: prepared.config,
    configName: 'additionalConfig',
    mode: 'create',
    authMode: integration.authMode,
    registrationKey: requestKey,
  });
  return undefined;
}
