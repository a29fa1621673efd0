import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import { deleteConnection } from '../../../operations/deleteConnection';
import type { ApiContext } from '../../ApiContext';
import { refuseFileIntegration } from '../config/configBody';
import { UNIQUE_KEY_PARAMS_SCHEMA } from './integrationBody';

interface Request {
  Params: { uniqueKey: string };
}

/**
 * `DELETE /integrations/:uniqueKey`: deletes an integration made through the API and, as spec 5 says, every one of
 * its Connections (through the same operation as DELETE /connections, so tokens are revoked where the catalog
 * allows), then the integration. 200 `{ success: true }`; 404 unknown_integration; 409 integration_read_only.
 */
export function registerDeleteIntegration(app: FastifyInstance, context: ApiContext): void {
  app.delete<Request>('/integrations/:uniqueKey', { schema: { params: UNIQUE_KEY_PARAMS_SCHEMA } }, async (request) => {
    const key = request.params.uniqueKey;
    if (context.registry.fileIntegrations().has(key)) refuseFileIntegration(key);
    if (!(await context.registry.store.get(key))) {
      throw new WorkerError('unknown_integration', `No integration '${key}': GET /integrations lists them`);
    }
    // Connections first: revoking a token needs the integration's provider.
    for (const connection of await context.operations.store.listByIntegration(key)) {
      try {
        await deleteConnection(context.operations, { type: 'deleteConnection', integration: key, userId: connection.userId });
      } catch (error) {
        if (!(error instanceof WorkerError && error.code === 'connection_not_found')) throw error;
      }
    }
    await context.registry.store.delete(key);
    // A later integration of the same key registers its own MCP client: nothing of this one is kept.
    await context.store.mcpClients.deleteIntegration(key);
    await context.registry.refresh();
    return { success: true };
  });
}
