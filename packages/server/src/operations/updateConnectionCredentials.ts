import type { UpdateConnectionCredentialsMessage } from '@nangohq/protocol';
import { prepareConnection } from './prepareCredentials';
import { requireIntegration, type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';
import { recordingChange } from './recordChange';

/**
 * Replaces a Connection's credentials after checking them against the auth mode; when a token is fetched with them
 * (OAUTH2_CC, TWO_STEP, …), the answer's `token_response_metadata` fields reach the Connection's config as at
 * creation (the answer's win; the config's other keys are kept). A `connection` operation
 * (`updated`, change `credentials`), failed ones too.
 * @throws WorkerError `unknown_integration`, `invalid_credentials`, `token_refresh_failed`, `credentials_rejected`,
 *   `credentials_check_failed` (the catalog's verification request refused them / gave no verdict: nothing changed),
 *   `connection_not_found`
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
    // The stored config holds the per-tenant values a token request of the auth mode may need.
    const existing = await context.store.get(integration.name, message.userId);
    if (!existing) throw connectionNotFound(integration.name, message.userId);
    const given = { userId: message.userId, credentials: message.credentials, config: existing.additionalConfig };
    const prepared = await prepareConnection(integration, given, { verificationTimeoutMs: context.verificationTimeoutMs });
    if (!(await context.store.updateCredentials(integration.name, message.userId, prepared.credentials))) {
      throw connectionNotFound(integration.name, message.userId);
    }
    // Only the values the token answer changed are written, merged into the config as it is then (one transaction),
    // so a config change made while the token was fetched is kept.
    const changed = Object.entries(prepared.config).filter(([key, value]) => existing.additionalConfig[key] !== value);
    if (changed.length > 0) {
      const missing = await context.store.updateConfigs(integration.name, [message.userId], (current) => ({
        ...current,
        ...Object.fromEntries(changed),
      }));
      if (missing.length > 0) throw connectionNotFound(integration.name, message.userId);
    }
  });
  return undefined;
}
