import type { FastifyInstance } from 'fastify';
import type { FunctionsBundleBody } from '../../../operations/checkFunctionsBundle';
import { deployFunctionsBundle, previewFunctionsBundle } from '../../../operations/deployFunctionsBundle';
import type { ApiContext } from '../../ApiContext';
import { DEPLOY_BODY_LIMIT } from './deployBodySchema';
import { FUNCTIONS_BUNDLE_SCHEMA } from './functionsBundleSchema';

/**
 * The official `nango deploy` of a project holding `createFunction`s (the CLI's experimental functions bundle):
 * `POST /functions/deployments/bundle/preview` answers what would change, `{ created, updated, unchanged, deleted }`
 * (each `{ integrationId, name }`), storing nothing; `POST /functions/deployments/bundle` stores the functions in a
 * new deployment version and answers the same. A refused bundle (400 `invalid_deployment`, naming each problem)
 * leaves the previous version active.
 */
export function registerPostFunctionsBundle(app: FastifyInstance, context: ApiContext): void {
  const options = { schema: { body: FUNCTIONS_BUNDLE_SCHEMA }, bodyLimit: DEPLOY_BODY_LIMIT };
  app.post<{ Body: FunctionsBundleBody }>('/functions/deployments/bundle/preview', options, (request) =>
    previewFunctionsBundle(context.operations, context.store.functionDeployments, request.body),
  );
  app.post<{ Body: FunctionsBundleBody }>('/functions/deployments/bundle', options, (request) =>
    deployFunctionsBundle(context.operations, context.store.functionDeployments, request.body),
  );
}
