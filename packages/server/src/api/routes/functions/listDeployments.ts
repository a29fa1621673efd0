import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';

/**
 * `GET /functions/deployments`: every deployment of functions, newest (the active one) first, with the functions
 * each holds (no code): `{ deployments: [{ version, createdAt, rolledBackFrom, active, functions }] }`.
 */
export function registerListDeployments(app: FastifyInstance, context: ApiContext): void {
  app.get('/functions/deployments', async () => ({ deployments: await context.store.functionDeployments.list() }));
}
