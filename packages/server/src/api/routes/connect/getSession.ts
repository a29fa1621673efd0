import type { FastifyInstance } from 'fastify';
import type { ConnectSession } from '../../../store/ConnectSessionStore';
import type { ApiContext } from '../../ApiContext';
import { requireSession } from './sessionWire';

/**
 * `GET /connect/session` with `Authorization: Bearer <session token>` (what the Connect UI reads first, contract
 * B.6): `{ data: { end_user, organization, tags, allowed_integrations, integrations_config_defaults, … } }`, in the
 * request's snake_case. Never the token. 401 invalid_connect_session when unknown or expired.
 */
export function registerGetConnectSession(app: FastifyInstance, context: ApiContext): void {
  app.get('/connect/session', { config: { connectSession: true } }, async (request) => {
    const { session } = await requireSession(context, request);
    return { data: sessionReply(session) };
  });
}

/** A session as GET /connect/session shows it. */
export function sessionReply(session: ConnectSession): Record<string, unknown> {
  const { endUser } = session;
  const defaults: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(session.integrationsConfigDefaults)) {
    defaults[key] = {
      ...(value.userScopes && { user_scopes: value.userScopes }),
      ...(value.authorizationParams && { authorization_params: value.authorizationParams }),
      ...(value.connectionConfig && { connection_config: value.connectionConfig }),
    };
  }
  const organization = session.organization ?? endUser?.organization ?? null;
  return {
    end_user: endUser
      ? { id: endUser.id, email: endUser.email ?? null, display_name: endUser.displayName ?? null, tags: endUser.tags ?? {} }
      : null,
    organization: organization ? { id: organization.id, display_name: organization.displayName ?? null } : null,
    tags: session.tags,
    allowed_integrations: session.allowedIntegrations ?? null,
    integrations_config_defaults: defaults,
    overrides: session.overrides ?? null,
    webhook_url_override: session.webhookUrlOverride ?? null,
    connection_id: session.reconnect?.connectionId ?? null,
    is_reconnecting: session.reconnect !== undefined,
    created_at: new Date(session.createdAt).toISOString(),
    expires_at: new Date(session.expiresAt).toISOString(),
  };
}
