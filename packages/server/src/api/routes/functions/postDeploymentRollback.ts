import type { FastifyInstance } from 'fastify';
import { rollbackDeployment } from '../../../operations/deployFunctions';
import type { ApiContext } from '../../ApiContext';

const schema = {
  params: { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } },
} as const;

/**
 * `POST /functions/deployments/:version/rollback`: makes that deployment's functions the active ones again, stored as
 * a new version (`rolledBackFrom` names the one restored); answers `{ version, rolledBackFrom }`. 404 `not_found` for
 * a version that does not exist.
 */
export function registerPostDeploymentRollback(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { version: number } }>('/functions/deployments/:version/rollback', { schema }, async (request) => {
    const { version } = request.params;
    const restored = await rollbackDeployment(context.store.functionDeployments, version);
    // As after a deployment: this process's syncs change at once (or on the next tick when the read fails).
    await context.registry.refresh().catch((error: unknown) => {
      context.logger.warn({ err: error }, 'could not read the restored deployment at once; the next refresh tick will');
    });
    return { version: restored, rolledBackFrom: version };
  });
}
