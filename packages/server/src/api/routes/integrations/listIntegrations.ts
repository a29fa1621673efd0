import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { listIntegrationReplies } from './integrationReply';

/**
 * `GET /integrations`: `{ data: [integration…] }`, integrations.yaml's (`source: file`) and those made through the
 * API (`source: runtime`), by key, without secrets. The 0.71 SDK's listIntegrations re-wraps it as `{ configs }`.
 */
export function registerListIntegrations(app: FastifyInstance, context: ApiContext): void {
  app.get('/integrations', async () => ({ data: await listIntegrationReplies(context.registry) }));
}
