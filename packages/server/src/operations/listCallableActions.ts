import type { ActionConfig } from '../config/types';
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
   * Where the action is declared: `integrations.yaml` for ours. Deployed functions (`nango deploy`) are to be
   * listed here too, with a source of their own, and run through the same triggerAction path.
   */
  readonly source: 'integrations.yaml';
}

/**
 * The actions a Connection's callers may run as tools: those of its integration that declare an input schema of
 * type `object`. One without a schema is left out: the schema is what tells an agent what to send, and declaring
 * one (even `{ type: object }` for an action that takes nothing) is how an action is offered to agents.
 * @throws WorkerError `unknown_integration`, `connection_not_found`
 */
export async function listCallableActions(
  context: OperationContext,
  integrationName: string,
  userId: string,
): Promise<CallableAction[]> {
  const integration = requireIntegration(context, integrationName);
  if (!(await context.store.get(integration.name, userId))) throw connectionNotFound(integration.name, userId);
  const callable: CallableAction[] = [];
  for (const action of integration.actions.values()) {
    const tool = callableOf(action);
    if (typeof tool !== 'string') callable.push(tool);
  }
  return callable;
}

/** The action as a callable one, or why it is not one (to name in the error of a call by its name). */
export function callableOf(action: ActionConfig): CallableAction | string {
  const schema = action.inputSchema;
  if (!schema) return `action '${action.name}' declares no input schema`;
  if (schema['type'] !== 'object') return `the input schema of action '${action.name}' is not of type 'object'`;
  return {
    name: action.name,
    description: action.description ?? action.name,
    inputSchema: schema as CallableAction['inputSchema'],
    timeoutMs: action.timeoutMs,
    source: 'integrations.yaml',
  };
}
