import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { CONFIG_BODY_SCHEMA, integrationInput, refuseFileIntegration, type ConfigBody } from './configBody';

/**
 * `PUT /config` with the body of POST: replaces the provider, client and scopes of an integration made through the
 * API. 200 `{ config_id }`; 404 unknown_integration; 409 integration_read_only for one of integrations.yaml.
 */
export function registerPutConfig(app: FastifyInstance, context: ApiContext): void {
  app.put<{ Body: ConfigBody }>('/config', { schema: { body: CONFIG_BODY_SCHEMA } }, async (request) => {
    const key = request.body.provider_config_key;
    if (context.registry.fileIntegrations().has(key)) refuseFileIntegration(key);
    const input = integrationInput(request.body, context.registry);
    if (!(await context.registry.store.update(input))) {
      throw new WorkerError('unknown_integration', `No integration '${key}' to edit: create it with POST /config`);
    }
    await context.registry.refresh();
    return { config_id: key };
  });
}
