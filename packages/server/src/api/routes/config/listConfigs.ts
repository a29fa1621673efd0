import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { fileConfigReply, storedConfigReply, type ConfigReply } from './configBody';

/** `GET /config`: `{ configs: [...] }`, integrations.yaml's and those made through the API, by key. */
export function registerListConfigs(app: FastifyInstance, context: ApiContext): void {
  app.get('/config', async () => {
    const fileIntegrations = context.registry.fileIntegrations();
    const configs: ConfigReply[] = [...fileIntegrations.values()].map(fileConfigReply);
    for (const stored of await context.registry.store.list()) {
      if (!fileIntegrations.has(stored.uniqueKey)) configs.push(storedConfigReply(stored));
    }
    configs.sort((a, b) => (a.unique_key < b.unique_key ? -1 : a.unique_key > b.unique_key ? 1 : 0));
    return { configs };
  });
}
