import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { refuseFileIntegration } from './configBody';
import { KEY_PARAMS_SCHEMA } from './getConfig';

/**
 * `DELETE /config/:providerConfigKey`: deletes an integration made through the API. Its Connections stay (as those
 * of an integration removed from integrations.yaml do) and can be deleted with DELETE /connection.
 * 200 `{ success: true }`; 404 unknown_integration; 409 integration_read_only.
 */
export function registerDeleteConfig(app: FastifyInstance, context: ApiContext): void {
  app.delete<{ Params: { providerConfigKey: string } }>(
    '/config/:providerConfigKey',
    { schema: { params: KEY_PARAMS_SCHEMA } },
    async (request) => {
      const key = request.params.providerConfigKey;
      if (context.registry.fileIntegrations().has(key)) refuseFileIntegration(key);
      if (!(await context.registry.store.delete(key))) {
        throw new WorkerError('unknown_integration', `No integration '${key}': GET /config lists them`);
      }
      // A later integration of the same key registers its own MCP client: nothing of this one is kept.
      await context.store.mcpClients.deleteIntegration(key);
      await context.registry.refresh();
      return { success: true };
    },
  );
}
