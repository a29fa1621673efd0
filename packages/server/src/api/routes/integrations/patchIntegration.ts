import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { refuseFileIntegration } from '../config/configBody';
import {
  extraOf,
  oauthClientOf,
  PATCH_INTEGRATION_SCHEMA,
  UNIQUE_KEY_PARAMS_SCHEMA,
  webhookSecretOf,
  type IntegrationBodyCommon,
} from './integrationBody';
import { storedIntegrationReply } from './integrationReply';

interface Request {
  Params: { uniqueKey: string };
  Body: IntegrationBodyCommon;
}

/**
 * `PATCH /integrations/:uniqueKey` `{ unique_key?, display_name?, credentials?, forward_webhooks?,
 * integration_config?, custom? }`: changes what is given, keeps the rest. A new `unique_key` renames the integration
 * and moves its Connections with it; `credentials` may carry only the parts that change (`webhook_secret: ''` removes the webhook secret); `custom` is accepted and not
 * stored. 200 `{ data: integration }`; 404 unknown_integration; 409 integration_read_only (integrations.yaml) or
 * integration_exists (the new key is taken); 400 invalid_request.
 */
export function registerPatchIntegration(app: FastifyInstance, context: ApiContext): void {
  app.patch<Request>(
    '/integrations/:uniqueKey',
    { schema: { params: UNIQUE_KEY_PARAMS_SCHEMA, body: PATCH_INTEGRATION_SCHEMA } },
    async (request) => {
      const key = request.params.uniqueKey;
      const body = request.body ?? {};
      if (context.registry.fileIntegrations().has(key)) refuseFileIntegration(key);
      const newKey = body.unique_key !== undefined && body.unique_key !== key ? body.unique_key : undefined;
      if (newKey !== undefined && context.registry.fileIntegrations().has(newKey)) {
        throw new WorkerError('integration_exists', `An integration '${newKey}' is already declared in integrations.yaml`);
      }
      const stored = await context.registry.store.get(key);
      if (!stored) throw new WorkerError('unknown_integration', `No integration '${key}': GET /integrations lists them`);
      const client = oauthClientOf(body.credentials, context.registry.catalog.get(stored.provider));
      const extra = extraOf(body, client);
      const webhookSecret = webhookSecretOf(body);
      const changed = await context.registry.store.change(key, {
        ...(newKey !== undefined && { uniqueKey: newKey }),
        ...(client.clientId !== undefined && { oauthClientId: client.clientId }),
        ...(client.clientSecret !== undefined && { oauthClientSecret: client.clientSecret }),
        ...(client.appPrivateKey !== undefined && { appPrivateKey: client.appPrivateKey }),
        ...(webhookSecret !== undefined && { webhookSecret }),
        ...(client.scopes !== undefined && { oauthScopes: client.scopes }),
        ...(body.display_name !== undefined && { displayName: body.display_name }),
        ...(extra && { extra }),
      });
      if (!changed) throw new WorkerError('unknown_integration', `No integration '${key}': GET /integrations lists them`);
      await context.registry.refresh();
      const after = await context.registry.store.get(newKey ?? key);
      if (!after) throw new WorkerError('unknown_integration', `Integration '${newKey ?? key}' was deleted meanwhile`);
      return { data: storedIntegrationReply(after, context.registry) };
    },
  );
}
