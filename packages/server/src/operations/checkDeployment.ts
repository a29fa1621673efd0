import { Script } from 'node:vm';
import { parseFrequency } from '../config/frequency';
import { ON_EVENT_TYPES } from '@nangohq/action';
import { WorkerError } from '../errors';
import type { DeployedFunction } from '../store/FunctionDeploymentStore';
import type { OperationContext } from './OperationContext';

/** One function of `flowConfigs` as the official CLI sends it (see docs/functions.md); only what we read. */
export interface CliFlowConfig {
  syncName?: unknown;
  providerConfigKey?: unknown;
  type?: unknown;
  version?: unknown;
  models?: unknown;
  input?: unknown;
  runs?: unknown;
  auto_start?: unknown;
  sync_type?: unknown;
  track_deletes?: unknown;
  endpoints?: unknown;
  webhookSubscriptions?: unknown;
  fileBody?: { js?: unknown; ts?: unknown } | undefined;
  metadata?: { description?: unknown } | undefined;
  models_json_schema?: { definitions?: Record<string, unknown> } | null | undefined;
}

/** The body of POST /sync/deploy and its confirmation (the CLI's PostDeploy body). */
export interface CliDeployBody {
  flowConfigs: CliFlowConfig[];
  onEventScriptsByProvider?:
    { providerConfigKey?: unknown; scripts?: { name?: unknown; event?: unknown; fileBody?: { js?: unknown } }[] }[] | undefined;
  reconcile?: boolean;
  debug?: boolean;
  singleDeployMode?: boolean;
  deployMode?: 'single' | 'integration' | 'all';
  jsonSchema?: { definitions?: Record<string, unknown> } | undefined;
}

/**
 * Checks a deployment from the CLI and turns it into the functions we store. Every problem is collected, each
 * naming where it is (`flowConfigs[0] (echo/shout)`), so one reply lists them all.
 * @throws WorkerError `invalid_deployment` naming each problem (an unknown integration, a missing model, a bundle that
 *   is not JavaScript, a missing name, an on-event function's unknown event)
 */
export function checkDeployment(context: OperationContext, body: CliDeployBody): DeployedFunction[] {
  const problems: string[] = [];
  const { integrations } = context.integrations();
  const known = [...integrations.keys()].join(', ') || 'none';
  const functions: DeployedFunction[] = [];
  const seen = new Set<string>();
  const common = (where: string, integration: unknown, name: unknown, js: unknown): string | undefined => {
    if (typeof name !== 'string' || name === '') problems.push(`${where}: has no name`);
    if (typeof integration !== 'string' || !integrations.has(integration)) {
      problems.push(`${where}: unknown integration '${String(integration)}' (known: ${known})`);
    }
    if (typeof js !== 'string' || js === '') problems.push(`${where}: has no compiled bundle (fileBody.js)`);
    else {
      const error = syntaxError(js, where);
      if (error) problems.push(`${where}: its bundle is not JavaScript: ${error}`);
    }
    const key = `${String(integration)}/${String(name)}`;
    if (seen.has(key)) problems.push(`${where}: ${key} is deployed twice`);
    seen.add(key);
    return typeof js === 'string' ? js : undefined;
  };
  body.flowConfigs.forEach((flow, index) => {
    const where = `flowConfigs[${index}] (${String(flow.providerConfigKey)}/${String(flow.syncName)})`;
    const js = common(where, flow.providerConfigKey, flow.syncName, flow.fileBody?.js);
    if (flow.type !== 'action' && flow.type !== 'sync') problems.push(`${where}: type must be 'action' or 'sync'`);
    const definitions = { ...body.jsonSchema?.definitions, ...flow.models_json_schema?.definitions };
    const models = Array.isArray(flow.models) ? flow.models.filter((m): m is string => typeof m === 'string') : [];
    const modelSchemas: Record<string, Record<string, unknown>> = {};
    for (const model of models) {
      const schema = definitions[model];
      if (schema === undefined) problems.push(`${where}: model '${model}' has no JSON Schema in models_json_schema`);
      else modelSchemas[model] = schema as Record<string, unknown>;
    }
    let inputSchema: Record<string, unknown> | undefined;
    if (typeof flow.input === 'string' && flow.input !== '') {
      inputSchema = definitions[flow.input] as Record<string, unknown> | undefined;
      if (inputSchema === undefined)
        problems.push(`${where}: input model '${flow.input}' has no JSON Schema in models_json_schema`);
    }
    const description = flow.metadata?.description;
    const runs = typeof flow.runs === 'string' ? flow.runs : null;
    if (flow.type === 'sync') {
      const frequency = parseFrequency(runs ?? '');
      if ('problem' in frequency) problems.push(`${where}: its frequency ${runs === null ? 'is missing' : frequency.problem}`);
      if (flow.sync_type !== undefined && flow.sync_type !== 'full' && flow.sync_type !== 'incremental') {
        problems.push(`${where}: sync_type must be 'full' or 'incremental'`);
      }
    }
    functions.push({
      integration: String(flow.providerConfigKey),
      name: String(flow.syncName),
      type: flow.type === 'sync' ? 'sync' : 'action',
      version: typeof flow.version === 'string' && flow.version !== '' ? flow.version : '0.0.1',
      js: js ?? '',
      ...(typeof description === 'string' && { description }),
      ...(inputSchema !== undefined && { inputSchema }),
      models,
      modelSchemas,
      runs,
      autoStart: flow.auto_start !== false,
      ...(flow.type === 'sync' && {
        syncType: flow.sync_type === 'full' ? 'full' : 'incremental',
        trackDeletes: flow.track_deletes === true,
        webhookSubscriptions: strings(flow.webhookSubscriptions),
      }),
      ...(Array.isArray(flow.endpoints) && { endpoints: endpointsOf(flow.endpoints) }),
    });
  });
  (body.onEventScriptsByProvider ?? []).forEach((group, g) => {
    (group.scripts ?? []).forEach((script, index) => {
      const where = `onEventScriptsByProvider[${g}].scripts[${index}] (${String(group.providerConfigKey)}/${String(script.name)})`;
      const js = common(where, group.providerConfigKey, script.name, script.fileBody?.js);
      if (!(ON_EVENT_TYPES as readonly unknown[]).includes(script.event)) {
        problems.push(`${where}: unknown event '${String(script.event)}' (known: ${ON_EVENT_TYPES.join(', ')})`);
      }
      functions.push({
        integration: String(group.providerConfigKey),
        name: String(script.name),
        type: 'on-event',
        version: '0.0.1',
        js: js ?? '',
        models: [],
        modelSchemas: {},
        runs: null,
        autoStart: false,
        event: String(script.event),
      });
    });
  });
  if (problems.length > 0) {
    throw new WorkerError('invalid_deployment', `The deployment was refused: ${problems.join('; ')}`);
  }
  return functions;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The declared endpoints that are `{ method, path, group? }` of strings; anything else is dropped. */
function endpointsOf(value: unknown[]): { method: string; path: string; group?: string }[] {
  return value.flatMap((item) => {
    const { method, path, group } = (item ?? {}) as { method?: unknown; path?: unknown; group?: unknown };
    if (typeof method !== 'string' || typeof path !== 'string') return [];
    return [{ method, path, ...(typeof group === 'string' && { group }) }];
  });
}

/** The syntax error of a CommonJS bundle, compiled (never run) as Node would wrap it; undefined when it parses. */
export function syntaxError(js: string, where: string): string | undefined {
  try {
    new Script(`(function (exports, require, module, __filename, __dirname) {${js}\n})`, { filename: where });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
