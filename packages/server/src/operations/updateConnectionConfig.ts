import type { UpdateConnectionConfigMessage } from '@nangohq/protocol';
import { checkConnectionConfig } from './checkConnectionConfig';
import { checkMetadataSize } from './checkMetadataSize';
import { type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';
import { recordingChange } from './recordChange';
import { checkUserHostsKept, userHostConfigKeys } from './userHostFields';

/**
 * Replaces a Connection's additionalConfig. The integration need not be declared any more: a Connection
 * outlives an edit of integrations.yaml, and its config is the app's own data. A `connection` operation (`updated`,
 * change `config`), failed ones too.
 * A value that makes up a host the user typed (config/userHost.ts) is fixed when the Connection is made: changing or
 * removing it is refused (operations/userHostFields.ts says why refusing beats re-verifying).
 * @throws WorkerError `metadata_too_large` (over NANGO_MAX_METADATA_BYTES: it is the metadata), `invalid_connection_config`
 *   (a value the integration's catalog entry describes outside its pattern, format or allowed values, or one that
 *   would move a typed host),
 *   `connection_not_found`
 */
export async function updateConnectionConfig(
  context: OperationContext,
  message: UpdateConnectionConfigMessage,
): Promise<undefined> {
  const change = {
    integration: message.integration,
    userId: message.userId,
    name: 'updated',
    fields: { change: 'config' },
  } as const;
  await recordingChange(context.log, change, async () => {
    checkMetadataSize(message.additionalConfig, context.maxMetadataBytes, 'additionalConfig');
    // Per-tenant values fill URLs: those the integration's catalog entry describes must fit their rules.
    const integration = context.integrations().integrations.get(message.integration);
    const provider = integration?.provider;
    const where = (key: string) => `additionalConfig.${key}`;
    checkConnectionConfig(provider, message.additionalConfig, { where, complete: false });
    const hostKeys = userHostConfigKeys(provider, integration);
    if (hostKeys.size > 0) {
      const stored = await context.store.get(message.integration, message.userId);
      if (!stored) throw connectionNotFound(message.integration, message.userId);
      checkUserHostsKept(hostKeys, stored.additionalConfig, message.additionalConfig, where);
    }
    if (!(await context.store.updateConfig(message.integration, message.userId, message.additionalConfig))) {
      throw connectionNotFound(message.integration, message.userId);
    }
  });
  return undefined;
}
