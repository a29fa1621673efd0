import type { FastifyInstance } from 'fastify';
import { catalogModeOf } from '../../../config/authModeNames';
import type { ApiContext } from '../../ApiContext';
import { connectFormOf } from './connectForm';
import { requireSession } from './sessionWire';

/**
 * `GET /connect/session/integrations` with `Authorization: Bearer <session token>`: what the Connect page lists and
 * asks, `{ data: [{ unique_key, provider, display_name, auth_mode, docs_connect, connection_config: [field…],
 * credentials: [field…] }] }` (see connectForm.ts: the per-tenant fields to ask before any redirect, and a static
 * mode's credential fields, from the catalog's descriptions), the session's allowed integrations (every integration
 * when it allows all) that exist, in the session's order.
 */
export function registerGetConnectSessionIntegrations(app: FastifyInstance, context: ApiContext): void {
  app.get('/connect/session/integrations', { config: { connectSession: true } }, async (request) => {
    const { session } = await requireSession(context, request);
    const { integrations } = context.registry.snapshot();
    const keys = session.allowedIntegrations ?? [...integrations.keys()].sort();
    const data = [];
    for (const key of keys) {
      const integration = integrations.get(key);
      if (!integration) continue;
      // A run-time integration's compiled config may not keep its catalog entry: its OAuth client names it.
      const provider = integration.provider ?? (await context.registry.oauthClient(key))?.client?.provider;
      const mode = catalogModeOf(integration.authMode);
      // What the session sets for this integration wins over what the user would type: not asked.
      const preset = new Set(Object.keys(session.integrationsConfigDefaults[key]?.connectionConfig ?? {}));
      data.push({
        unique_key: key,
        provider: provider?.name ?? null,
        display_name: provider?.display_name ?? key,
        auth_mode: mode,
        ...connectFormOf(provider, mode, preset, Boolean(integration.oauth?.clientId && integration.oauth.clientSecret)),
      });
    }
    return { data };
  });
}
