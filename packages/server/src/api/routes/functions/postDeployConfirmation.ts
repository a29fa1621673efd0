import type { FastifyInstance } from 'fastify';
import type { CliDeployBody } from '../../../operations/checkDeployment';
import { planDeployment } from '../../../operations/deployFunctions';
import type { ApiContext } from '../../ApiContext';
import { DEPLOY_BODY_LIMIT, DEPLOY_BODY_SCHEMA } from './deployBodySchema';

/**
 * `POST /sync/deploy/confirmation` (the official `nango deploy`, before it deploys): what the deployment would
 * create, update and delete, in Nango's ScriptDifferences shape. Nothing is stored. A deployment that would be
 * refused is refused here already (400 `invalid_deployment`, naming each problem). A deleted sync counts the
 * Connections it runs for, so the CLI asks for `--allow-destructive` before their records go.
 */
export function registerPostDeployConfirmation(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: CliDeployBody }>(
    '/sync/deploy/confirmation',
    { schema: { body: DEPLOY_BODY_SCHEMA }, bodyLimit: DEPLOY_BODY_LIMIT },
    (request) => planDeployment(context.operations, context.store.functionDeployments, request.body, context.store.syncSchedules),
  );
}
