import type { RegisterConnectionMessage } from '@nangohq/protocol';
import { normaliseCredentials } from '../credentials/normaliseCredentials';
import type { ConnectionAttributes } from '../store/Store';
import { sendAuthWebhook } from '../webhooks/authWebhook';
import { requireIntegration, type HandlerContext } from './HandlerContext';

/**
 * Stores a new Connection, then sends its `auth` creation webhook. `attributes` (tags, end user: the HTTP import
 * route's; the message has none) are stored in between, so the webhook carries them.
 * @throws WorkerError `unknown_integration`, `invalid_credentials`, `connection_exists`
 */
export async function registerConnection(
  context: HandlerContext,
  message: RegisterConnectionMessage,
  attributes: Partial<ConnectionAttributes> = {},
): Promise<undefined> {
  const integration = requireIntegration(context, message.integration);
  const credentials = normaliseCredentials(integration.name, integration.authMode, message.credentials);
  await context.store.insert({
    integration: integration.name,
    userId: message.userId,
    credentials,
    additionalConfig: message.additionalConfig ?? {},
  });
  if (Object.keys(attributes).length > 0) await context.store.setAttributes(integration.name, message.userId, attributes);
  const provider = integration.provider?.name ?? integration.name;
  const { authMode } = integration;
  await sendAuthWebhook(context, {
    integration: integration.name,
    userId: message.userId,
    authMode,
    provider,
    operation: 'creation',
  });
  return undefined;
}
