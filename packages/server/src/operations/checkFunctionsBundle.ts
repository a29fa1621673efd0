import { WorkerError } from '../errors';
import type { DeployedFunction } from '../store/FunctionDeploymentStore';
import { syntaxError } from './checkDeployment';
import type { OperationContext } from './OperationContext';

/** One `createFunction` of the official CLI's functions bundle (Nango's FunctionDeploymentArtifact); only what we read. */
export interface CliFunctionArtifact {
  name?: unknown;
  integrationId?: unknown;
  description?: unknown;
  trigger?: unknown;
  requires?: unknown;
  capabilities?: unknown;
  limits?: unknown;
  input_schema_ref?: unknown;
  output_schema_ref?: unknown;
  model_schema_refs?: unknown;
  metadata_schema_ref?: unknown;
  checkpoint_schema_ref?: unknown;
  json_schema?: unknown;
  fileBody?: { js?: unknown; ts?: unknown } | undefined;
}

/** The body of POST /functions/deployments/bundle and its preview (Nango's FunctionDeploymentBundleBody). */
export interface FunctionsBundleBody {
  reconciliationScope: { kind: 'environment' } | { kind: 'integration'; integrationId: string };
  functions: CliFunctionArtifact[];
}

/** The trigger kinds the CLI 0.71.10 lets a `createFunction` declare (its validateFunction refuses the others). */
const TRIGGER_KINDS = ['none', 'http'];

/**
 * Checks the CLI's functions bundle and turns it into the functions we store (type `function`). Every problem is
 * collected, each naming where it is (`functions[0] (echo/greet)`).
 * @throws WorkerError `invalid_deployment` naming each problem (an unknown integration, a trigger kind other than
 *   `none`/`http`, a bundle that is not JavaScript, a schema reference with no schema, a function deployed twice, a
 *   function outside an `integration` scope)
 */
export function checkFunctionsBundle(context: OperationContext, body: FunctionsBundleBody): DeployedFunction[] {
  const problems: string[] = [];
  const { integrations } = context.integrations();
  const known = [...integrations.keys()].join(', ') || 'none';
  const scope = body.reconciliationScope;
  if (scope.kind === 'integration' && typeof scope.integrationId !== 'string') {
    problems.push(`reconciliationScope: kind 'integration' needs an integrationId`);
  } else if (scope.kind === 'integration' && !integrations.has(scope.integrationId)) {
    problems.push(`reconciliationScope: unknown integration '${scope.integrationId}' (known: ${known})`);
  }
  const seen = new Set<string>();
  const functions = body.functions.map((fn, index): DeployedFunction => {
    const where = `functions[${index}] (${String(fn.integrationId)}/${String(fn.name)})`;
    if (typeof fn.name !== 'string' || fn.name === '') problems.push(`${where}: has no name`);
    if (typeof fn.integrationId !== 'string' || !integrations.has(fn.integrationId)) {
      problems.push(`${where}: unknown integration '${String(fn.integrationId)}' (known: ${known})`);
    } else if (scope.kind === 'integration' && fn.integrationId !== scope.integrationId) {
      problems.push(`${where}: outside the deployment's scope (integration '${scope.integrationId}')`);
    }
    const key = `${String(fn.integrationId)}/${String(fn.name)}`;
    if (seen.has(key)) problems.push(`${where}: ${key} is deployed twice`);
    seen.add(key);
    const js = fn.fileBody?.js;
    if (typeof js !== 'string' || js === '') problems.push(`${where}: has no compiled bundle (fileBody.js)`);
    else {
      const error = syntaxError(js, where);
      if (error) problems.push(`${where}: its bundle is not JavaScript: ${error}`);
    }
    const trigger = (fn.trigger ?? { kind: 'none' }) as { kind?: unknown };
    if (!TRIGGER_KINDS.includes(String(trigger.kind))) {
      problems.push(`${where}: trigger kind '${String(trigger.kind)}' is not supported (supported: ${TRIGGER_KINDS.join(', ')})`);
    }
    const definitions = ((fn.json_schema ?? {}) as { definitions?: Record<string, Record<string, unknown>> }).definitions ?? {};
    const schemaOf = (field: string, ref: unknown): Record<string, unknown> | undefined => {
      if (ref === null || ref === undefined) return undefined;
      const name = typeof ref === 'string' && ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
      const schema = name === undefined ? undefined : definitions[name];
      if (schema === undefined) problems.push(`${where}: ${field} '${String(ref)}' names no schema in json_schema.definitions`);
      return schema;
    };
    const inputSchema = schemaOf('input_schema_ref', fn.input_schema_ref);
    const outputSchema = schemaOf('output_schema_ref', fn.output_schema_ref);
    schemaOf('metadata_schema_ref', fn.metadata_schema_ref);
    schemaOf('checkpoint_schema_ref', fn.checkpoint_schema_ref);
    const definition: Record<string, unknown> = { ...fn };
    delete definition['fileBody'];
    return {
      integration: String(fn.integrationId),
      name: String(fn.name),
      type: 'function',
      version: '0.0.1',
      js: typeof js === 'string' ? js : '',
      ...(typeof fn.description === 'string' && { description: fn.description }),
      ...(inputSchema !== undefined && { inputSchema }),
      models: [],
      modelSchemas:
        outputSchema === undefined ? {} : { [String(fn.output_schema_ref).slice('#/definitions/'.length)]: outputSchema },
      runs: null,
      autoStart: false,
      definition: { ...definition, trigger },
    };
  });
  if (problems.length > 0) {
    throw new WorkerError('invalid_deployment', `The deployment was refused: ${problems.join('; ')}`);
  }
  return functions;
}
