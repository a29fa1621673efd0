import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import type { ActionConfig, IntegrationConfig } from '../../../config/types';

const schema = {
  querystring: {
    type: 'object',
    properties: { format: { type: 'string', enum: ['nango', 'openai'] } },
  },
} as const;

interface Request {
  Querystring: { format?: 'nango' | 'openai' };
}

/**
 * `GET /scripts/config?format=nango|openai` (contract C.3): the actions of every integration with their description
 * and input schema. `nango` (the default): `[{ providerConfigKey, provider, syncs: [], actions: [...], 'on-events': [] }]`
 * for each integration that has actions; `openai`: `{ data: [{ name, description, parameters }] }`, one function per
 * action, ready for an LLM's tool list.
 */
export function registerGetScriptsConfig(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/scripts/config', { schema }, async (request) => {
    const integrations = [...context.operations.integrations().integrations.values()].filter((i) => i.actions.size > 0);
    if (request.query.format === 'openai') {
      return { data: integrations.flatMap((integration) => [...integration.actions.values()].map(openAiFunction)) };
    }
    return integrations.map(nangoConfig);
  });
}

function nangoConfig(integration: IntegrationConfig) {
  return {
    providerConfigKey: integration.name,
    provider: integration.provider?.name ?? integration.name,
    syncs: [],
    actions: [...integration.actions.values()].map((action) => ({
      name: action.name,
      type: 'action',
      description: action.description ?? '',
      input: action.inputSchema ?? null,
      returns: [],
      scopes: [],
      version: null,
      attributes: {},
      is_public: false,
      pre_built: false,
      enabled: true,
      json_schema: action.inputSchema ? { input: action.inputSchema } : null,
    })),
    'on-events': [],
  };
}

function openAiFunction(action: ActionConfig) {
  const schema = action.inputSchema ?? {};
  return {
    name: action.name,
    description: action.description ?? '',
    parameters: {
      type: 'object' as const,
      properties: (schema['properties'] as Record<string, unknown> | undefined) ?? {},
      required: (schema['required'] as string[] | undefined) ?? [],
    },
  };
}
