import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import type { ActionConfig, IntegrationConfig, SyncConfig } from '../../../config/types';
import { describeFrequency } from '../../../syncs/describeFrequency';

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
 * `GET /scripts/config?format=nango|openai` (contract C.3): the actions and syncs of every integration. `nango` (the
 * default): `[{ providerConfigKey, provider, syncs: [...], actions: [...], 'on-events': [] }]` for each integration
 * that has an action or a sync: actions with their description and input schema, syncs with their schedule, models
 * (names in `returns`, schemas in `json_schema.definitions`) and settings; `openai`: `{ data: [{ name, description,
 * parameters }] }`, one function per action, ready for an LLM's tool list.
 */
export function registerGetScriptsConfig(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/scripts/config', { schema }, async (request) => {
    const integrations = [...context.operations.integrations().integrations.values()].filter(
      (i) => i.actions.size > 0 || i.syncs.size > 0,
    );
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
    syncs: [...integration.syncs.values()].map(syncConfig),
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

function syncConfig(sync: SyncConfig) {
  const models = [...sync.models.values()];
  return {
    name: sync.name,
    type: 'sync',
    description: '',
    runs: describeFrequency(sync.frequencyMs),
    auto_start: sync.autoStart,
    sync_type: sync.syncType,
    track_deletes: sync.trackDeletes,
    returns: models.map((model) => model.name),
    endpoints: [],
    scopes: [],
    version: null,
    attributes: {},
    is_public: false,
    pre_built: false,
    enabled: true,
    json_schema: { definitions: Object.fromEntries(models.map((model) => [model.name, model.schema ?? {}])) },
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
