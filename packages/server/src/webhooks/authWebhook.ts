import type { ConnectionStore } from '../store/Store';
import type { AuthWebhookBody, Webhooks } from './Webhooks';

/** What sendAuthWebhook needs: a OperationContext has both. */
export interface AuthWebhookDeps {
  readonly webhooks: Webhooks;
  readonly store: Pick<ConnectionStore, 'attributes'>;
}

/** One auth event (contract E.2 `auth`). */
export interface AuthEvent {
  /** The provider config key. */
  integration: string;
  /** The connection id. */
  userId: string;
  /** OAUTH2, OAUTH1, API_KEY, BASIC, … */
  authMode: string;
  /** The catalog provider's name (the integration's name when it names none). */
  provider: string;
  operation: AuthWebhookBody['operation'];
  /** Set for a failure (`success: false`): a short type and a description without secrets. */
  error?: { type: string; description: string };
}

/**
 * Sends the `auth` webhook of a Connection created, overridden (re-authorised) or whose refresh failed for good,
 * with its tags and end user when it has them. Resolves once it is stored in the outbox (or switched off); never
 * rejects: a webhook that could not be stored is logged by the outbox, and must not undo the Connection's change.
 * Every route that creates Connections calls it (OAuth callback, registerConnection, connect-session forms).
 */
export async function sendAuthWebhook(deps: AuthWebhookDeps, event: AuthEvent): Promise<void> {
  const body: AuthWebhookBody = {
    from: 'nango',
    type: 'auth',
    connectionId: event.userId,
    providerConfigKey: event.integration,
    authMode: event.authMode,
    provider: event.provider,
    environment: deps.webhooks.environment ?? 'prod',
    operation: event.operation,
    success: event.error === undefined,
  };
  if (event.error !== undefined) body.error = { type: event.error.type, description: event.error.description };
  try {
    const attributes = await deps.store.attributes(event.integration, event.userId);
    if (attributes && Object.keys(attributes.tags).length > 0) body.tags = attributes.tags;
    const endUser = attributes?.endUser;
    if (endUser) {
      body.endUser = { endUserId: endUser.id, tags: endUser.tags ?? {} };
      if (endUser.email !== undefined) body.endUser.endUserEmail = endUser.email;
      if (endUser.organization) body.endUser.organizationId = endUser.organization.id;
    }
  } catch {
    // Attributes unreadable (or not stored by this build): the webhook goes without tags and end user.
  }
  try {
    await deps.webhooks.enqueue(body);
  } catch {
    // Logged by the outbox.
  }
}
