import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';

/**
 * `POST /integrations/quickstart` (node SDK 0.71 createQuickstartIntegration): refused with 400 `not_supported`,
 * whatever the body. Nango Cloud makes such an integration with its own shared developer app (its OAuth client); a
 * self-hosted server has none, so the message says how to make one with your own client instead.
 * @throws WorkerError `not_supported`
 */
export function registerPostQuickstartIntegration(app: FastifyInstance, _context: ApiContext): void {
  app.post('/integrations/quickstart', async () => {
    throw new WorkerError(
      'not_supported',
      "Quickstart integrations use Nango Cloud's shared developer apps, and a self-hosted server has none. Register an OAuth app with the provider, then create the integration with its client: POST /integrations (createIntegration) with { provider, unique_key, credentials: { type, client_id, client_secret, scopes } }, or declare it in integrations.yaml",
    );
  });
}
