import type { FastifyInstance } from 'fastify';
import type { CliDeployBody } from '../../../operations/checkDeployment';
import { deployFunctions } from '../../../operations/deployFunctions';
import type { ApiContext } from '../../ApiContext';
import { DEPLOY_BODY_LIMIT, DEPLOY_BODY_SCHEMA } from './deployBodySchema';

/**
 * `POST /sync/deploy` (the official `nango deploy`): stores the functions as a new deployment, active at once on
 * every worker; answers one `{ name, version, providerConfigKey, type, deployment }` per function deployed. A refused
 * deployment (400 `invalid_deployment`) leaves the previous one active.
 */
export function registerPostDeploy(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: CliDeployBody }>(
    '/sync/deploy',
    { schema: { body: DEPLOY_BODY_SCHEMA }, bodyLimit: DEPLOY_BODY_LIMIT },
    async (request) => {
      const results = await deployFunctions(context.operations, context.store.functionDeployments, request.body);
      // This process schedules the new syncs at once; others see them on their registry's next tick.
      await context.registry.refresh().catch((error: unknown) => {
        context.logger.warn({ err: error }, 'could not read the new deployment at once; the next refresh tick will');
      });
      return results;
    },
  );
}
