import type { FastifyInstance } from 'fastify';
import type { IntegrationConfig } from '../../../config/types';
import type { ApiContext } from '../../ApiContext';
import { requireSession } from './sessionWire';

/** How the Connect page asks for credentials: Nango's auth mode names (USERNAME_PASSWORD is BASIC there). */
const AUTH_MODE: Record<IntegrationConfig['authMode'], string> = {
  OAUTH2: 'OAUTH2',
  OAUTH1: 'OAUTH1',
  API_KEY: 'API_KEY',
  USERNAME_PASSWORD: 'BASIC',
};

/**
 * `GET /connect/session/integrations` with `Authorization: Bearer <session token>`: what the Connect page lists,
 * `{ data: [{ unique_key, provider, display_name, auth_mode }] }`, the session's allowed integrations (every
 * integration when it allows all) that exist, in the session's order.
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
      data.push({
        unique_key: key,
        provider: provider?.name ?? null,
        display_name: provider?.display_name ?? key,
        auth_mode: AUTH_MODE[integration.authMode],
      });
    }
    return { data };
  });
}
