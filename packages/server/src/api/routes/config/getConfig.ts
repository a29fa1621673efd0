import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { fileConfigReply, storedConfigReply } from './configBody';

export const KEY_PARAMS_SCHEMA = {
  type: 'object',
  required: ['providerConfigKey'],
  properties: { providerConfigKey: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

interface Request {
  Params: { providerConfigKey: string };
}

/** `GET /config/:providerConfigKey`: `{ config }`, or 404 unknown_integration. */
export function registerGetConfig(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/config/:providerConfigKey', { schema: { params: KEY_PARAMS_SCHEMA } }, async (request) => {
    const key = request.params.providerConfigKey;
    const fromFile = context.registry.fileIntegrations().get(key);
    if (fromFile) return { config: fileConfigReply(fromFile) };
    const stored = await context.registry.store.get(key);
    if (!stored) throw new WorkerError('unknown_integration', `No integration '${key}': GET /config lists them`);
    return { config: storedConfigReply(stored) };
  });
}
