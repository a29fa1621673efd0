import type { ActionConfig, IntegrationConfig } from '../config/types';
import { connectionNotFound } from '../errors';
import { requireIntegration, type OperationContext } from './OperationContext';

/**
 * One action an AI agent may call for a Connection (the MCP server's tools): its name, what it does and the JSON
 * Schema of its input, which is an object schema (MCP tools take an object of arguments).
 */
export interface CallableAction {
  readonly name: string;
  /** The action's `description`; its name when it declares none, so a tool list always says something. */
  readonly description: string;
  /** The action's `input` schema as declared: a JSON Schema whose `type` is `object`. */
  readonly inputSchema: Readonly<Record<string, unknown>> & { readonly type: 'object' };
  /** Time limit of one run, so a caller knows how long to wait for its reply. */
  readonly timeoutMs: number;
  /**
   * Where the action is declared: `integrations.yaml` for ours, `deployed` for a function of the active
   * `nango deploy` deployment. Both run through the same triggerAction path (requireAction finds either).
   */
  readonly source: 'integrations.yaml' | 'deployed';
}

/**
 * The actions a Connection's callers may run as tools: those of its integration, its own (integrations.yaml) and
 * the active deployment's (our own win a name clash, as in requireAction), that declare an input schema of type
 * `object`. One without a schema is left out: the schema is what tells an agent what to send, and declaring one
 * (even `{ type: object }` for an action that takes nothing) is how an action is offered to agents.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, `storage_error`
 */
export async function listCallableActions(
  context: OperationContext,
  integrationName: string,
  userId: string,
): Promise<CallableAction[]> {
  const integration = requireIntegration(context, integrationName);
  // Whether it exists, read without decrypting its credentials (the worker reads them for each run).
  if ((await context.store.configJson(integration.name, userId)) === undefined) {
    throw connectionNotFound(integration.name, userId);
  }
  const callable: CallableAction[] = [];
  for (const [action, source] of await declaredActions(context, integration)) {
    const tool = callableOf(action, source);
    if (typeof tool !== 'string') callable.push(tool);
  }
  return callable;
}

/**
 * Why the action `name` of an integration is not callable (no input schema, one not of type object), or undefined
 * when it has no such action: for the error of a call by a name that is not a tool.
 * @throws WorkerError `storage_error`
 */
export async function whyNotCallable(
  context: OperationContext,
  integration: IntegrationConfig,
  name: string,
): Promise<string | undefined> {
  const found = (await declaredActions(context, integration)).find(([action]) => action.name === name);
  if (!found) return undefined;
  const tool = callableOf(...found);
  return typeof tool === 'string' ? tool : undefined;
}

/** Every action of an integration with where it is declared: its own first, then deployed ones not shadowed. */
async function declaredActions(
  context: OperationContext,
  integration: IntegrationConfig,
): Promise<[ActionConfig, CallableAction['source']][]> {
  const declared: [ActionConfig, CallableAction['source']][] = [...integration.actions.values()].map((action) => [
    action,
    'integrations.yaml',
  ]);
  for (const name of (await context.deployed?.actionNames(integration.name)) ?? []) {
    if (integration.actions.has(name)) continue;
    const action = await context.deployed?.action(integration, name);
    if (action) declared.push([action, 'deployed']);
  }
  return declared;
}

/** The action as a callable one, or why it is not one (to name in the error of a call by its name). */
function callableOf(action: ActionConfig, source: CallableAction['source']): CallableAction | string {
  const schema = action.inputSchema;
  if (!schema) return `action '${action.name}' declares no input schema`;
  if (schema['type'] !== 'object') return `the input schema of action '${action.name}' is not of type 'object'`;
  return {
    name: action.name,
    description: action.description ?? action.name,
    inputSchema: schema as CallableAction['inputSchema'],
    timeoutMs: action.timeoutMs,
    source,
  };
}
