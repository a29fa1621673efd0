import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { UNIQUE_KEY_PARAMS_SCHEMA } from './integrationBody';
import { webhookBaseOf } from '../../../providerWebhooks/webhookUrl';
import { fileIntegrationReply, includesOf, storedIntegrationReply } from './integrationReply';

const INCLUDE_VALUE = { type: 'string', pattern: '^(webhook|credentials)(,(webhook|credentials))*$' } as const;

const schema = {
  params: UNIQUE_KEY_PARAMS_SCHEMA,
  querystring: {
    type: 'object',
    properties: { include: { anyOf: [INCLUDE_VALUE, { type: 'array', items: INCLUDE_VALUE, maxItems: 4 }] } },
  },
} as const;

interface Request {
  Params: { uniqueKey: string };
  Querystring: { include?: string | string[] };
}

/**
 * `GET /integrations/:uniqueKey[?include=webhook|credentials]` (repeated or comma-separated): `{ data: integration }`;
 * `include=credentials` adds the OAuth client with its secret (the caller holds the secret key, which reads it
 * anyway), `include=webhook` adds `webhook_url`. 404 unknown_integration.
 */
export function registerGetIntegration(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/integrations/:uniqueKey', { schema }, async (request) => {
    const key = request.params.uniqueKey;
    const { environment, environmentUuid } = context.workerSettings;
    const webhookBase = webhookBaseOf(context.settings.serverUrl, environment, environmentUuid);
    const includes = { ...includesOf(request.query.include), webhookBase };
    const fromFile = context.registry.fileIntegrations().get(key);
    if (fromFile) return { data: fileIntegrationReply(fromFile, includes) };
    const stored = await context.registry.store.get(key);
    if (!stored) throw new WorkerError('unknown_integration', `No integration '${key}': GET /integrations lists them`);
    return { data: storedIntegrationReply(stored, context.registry, includes) };
  });
}
