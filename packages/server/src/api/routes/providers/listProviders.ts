import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { providerReply } from './providerReply';

const schema = {
  querystring: { type: 'object', properties: { search: { type: 'string', maxLength: 128 } } },
  params: { type: 'object', properties: { provider: { type: 'string', minLength: 1, maxLength: 128 } } },
} as const;

/**
 * `GET /providers[?search=…]`: `{ data: [provider…] }`, every catalog entry (aliases resolved) with its `name` and
 * `logo_url`, those whose name or display name contains `search` (any case); `GET /providers/:provider`:
 * `{ data: provider }`, or 404 not_found. The shapes of today's Nango (contract C.3).
 */
export function registerListProviders(app: FastifyInstance, context: ApiContext): void {
  app.get<{ Querystring: { search?: string } }>(
    '/providers',
    { schema: { querystring: schema.querystring } },
    async (request) => {
      const search = request.query.search?.toLowerCase();
      const providers = context.registry.catalog
        .list()
        .filter(
          (provider) =>
            !search ||
            provider.name.toLowerCase().includes(search) ||
            (provider.display_name ?? '').toLowerCase().includes(search),
        );
      return { data: providers.map(providerReply) };
    },
  );
  app.get<{ Params: { provider: string } }>('/providers/:provider', { schema: { params: schema.params } }, async (request) => {
    const provider = context.registry.catalog.get(request.params.provider);
    if (!provider) throw new WorkerError('not_found', `Unknown provider '${request.params.provider}': GET /providers lists them`);
    return { data: providerReply(provider) };
  });
}
