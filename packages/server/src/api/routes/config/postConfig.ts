import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { CONFIG_BODY_SCHEMA, integrationInput, type ConfigBody } from './configBody';

/**
 * `POST /config` `{ provider_config_key, provider, oauth_client_id, oauth_client_secret, oauth_scopes }`: makes an
 * integration, its client secret encrypted. 200 `{ config_id }`; 409 integration_exists when the key is taken (by
 * integrations.yaml or the database); 400 unknown_provider.
 */
export function registerPostConfig(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: ConfigBody }>('/config', { schema: { body: CONFIG_BODY_SCHEMA } }, async (request) => {
    const input = integrationInput(request.body, context.registry);
    if (context.registry.fileIntegrations().has(input.uniqueKey)) {
      throw new WorkerError('integration_exists', `An integration '${input.uniqueKey}' is already declared in integrations.yaml`);
    }
    await context.registry.store.insert(input);
    await context.registry.refresh();
    return { config_id: input.uniqueKey };
  });
}
