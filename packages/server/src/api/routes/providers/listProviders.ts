import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';

const schema = {
  querystring: { type: 'object', properties: { search: { type: 'string', maxLength: 128 } } },
  params: { type: 'object', properties: { provider: { type: 'string', minLength: 1, maxLength: 128 } } },
} as const;

/**
 * `GET /providers[?search=…]`: `{ data: [{ name, display_name, auth_mode, categories, docs }] }`, the catalog's
 * providers by name (what `provider` of POST /config may be); `GET /providers/:provider`: `{ data: <entry> }`, or 404
 * unknown_provider. The shapes of today's Nango (contract C.3).
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
          (provider) => !search || provider.name.includes(search) || (provider.display_name ?? '').toLowerCase().includes(search),
        );
      return {
        data: providers.map((provider) => ({
          name: provider.name,
          display_name: provider.display_name ?? provider.name,
          auth_mode: provider.auth_mode,
          categories: provider.categories ?? [],
          docs: provider.docs ?? null,
        })),
      };
    },
  );
  app.get<{ Params: { provider: string } }>('/providers/:provider', { schema: { params: schema.params } }, async (request) => {
    const provider = context.registry.catalog.get(request.params.provider);
    if (!provider)
      throw new WorkerError('unknown_provider', `Unknown provider '${request.params.provider}': GET /providers lists them`);
    return { data: provider };
  });
}
