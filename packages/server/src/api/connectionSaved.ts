import type { ConnectionAttributes } from '../store/Store';
import type { ApiContext } from './ApiContext';
import { sendAuthWebhook } from '../webhooks/authWebhook';

/** A Connection a frontend flow (OAuth callback or /api-auth) has just created or re-authorised. */
export interface SavedConnection {
  readonly providerConfigKey: string;
  readonly connectionId: string;
  /** `creation` for a new Connection, `override` when an existing one got new credentials (contract E.2 wording). */
  readonly operation: 'creation' | 'override';
  readonly authMode: string;
  /** The catalog provider's name, when the caller knows it; else looked up from the integration. */
  readonly provider?: string;
  /** From the connect session the flow ran under, if any: what the Connection gets. */
  readonly attributes: ConnectionAttributes | undefined;
}

/**
 * The one place where everything that follows a frontend flow's success happens, after the credentials are stored
 * and before the frontend is told: the connect session's end user and tags go on the Connection (an empty part is
 * left as it was, so a reconnect session without an end user keeps the Connection's), then the auth webhook.
 * @throws WorkerError `storage_error`
 */
export async function connectionSaved(context: ApiContext, saved: SavedConnection): Promise<void> {
  const { attributes } = saved;
  if (attributes) {
    const change: Partial<ConnectionAttributes> = {};
    if (attributes.endUser !== null) change.endUser = attributes.endUser;
    if (Object.keys(attributes.tags).length > 0) change.tags = { ...attributes.tags };
    if (Object.keys(change).length > 0) {
      await context.handlers.store.setAttributes(saved.providerConfigKey, saved.connectionId, change);
    }
  }
  // The auth webhook (contract E.2 `auth`) is sent from here, and only here, for OAuth callbacks and /api-auth alike,
  // after the attributes, so it carries the session's end user and tags.
  const integration = context.handlers.integrations().integrations.get(saved.providerConfigKey);
  await sendAuthWebhook(context.handlers, {
    integration: saved.providerConfigKey,
    userId: saved.connectionId,
    authMode: saved.authMode,
    provider: saved.provider ?? integration?.provider?.name ?? saved.providerConfigKey,
    operation: saved.operation,
  });
}
