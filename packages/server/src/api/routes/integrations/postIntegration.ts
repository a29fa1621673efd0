import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { extraOf, oauthClientOf, POST_INTEGRATION_SCHEMA, webhookSecretOf, type IntegrationBodyCommon } from './integrationBody';
import { storedIntegrationReply } from './integrationReply';

interface Request {
  Body: IntegrationBodyCommon & { provider: string; unique_key: string };
}

/**
 * `POST /integrations` `{ provider, unique_key, display_name?, credentials?, forward_webhooks?, integration_config?,
 * custom? }`: makes an integration (`credentials.webhook_secret`: what its provider webhooks are checked with, sealed,
 * never given back) (credentials in either shape of contract C.5; an OAuth provider without them can
 * be given its client later with PATCH). 200 `{ data: integration }`; 400 unknown_provider or invalid_request;
 * 409 integration_exists (also for a key of integrations.yaml).
 */
export function registerPostIntegration(app: FastifyInstance, context: ApiContext): void {
  app.post<Request>('/integrations', { schema: { body: POST_INTEGRATION_SCHEMA } }, async (request) => {
    const body = request.body;
    const provider = context.registry.catalog.get(body.provider);
    if (!provider) {
      throw new WorkerError('unknown_provider', `Unknown provider '${body.provider}': GET /providers lists them`);
    }
    if (context.registry.fileIntegrations().has(body.unique_key)) {
      throw new WorkerError('integration_exists', `An integration '${body.unique_key}' is already declared in integrations.yaml`);
    }
    const client = oauthClientOf(body.credentials, provider);
    const extra = extraOf(body, client);
    const webhookSecret = webhookSecretOf(body);
    await context.registry.store.insert({
      uniqueKey: body.unique_key,
      provider: body.provider,
      oauthClientId: client.clientId ?? '',
      oauthClientSecret: client.clientSecret ?? '',
      ...(client.appPrivateKey !== undefined && { appPrivateKey: client.appPrivateKey }),
      ...(webhookSecret && { webhookSecret }),
      oauthScopes: client.scopes ?? (provider.default_scopes ?? []).join(','),
      displayName: body.display_name ?? null,
      ...(extra && { extra }),
    });
    await context.registry.refresh();
    const stored = await context.registry.store.get(body.unique_key);
    if (!stored) throw new WorkerError('internal_error', `Integration '${body.unique_key}' vanished right after it was made`);
    return { data: storedIntegrationReply(stored, context.registry) };
  });
}
