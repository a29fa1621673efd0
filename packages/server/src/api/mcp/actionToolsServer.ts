import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import {
  CallToolRequestSchema,
  ErrorCode as McpErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { isErrorCode, type ErrorCode } from '@nangohq/protocol';
import { whyNotCallable, type CallableAction } from '../../operations/listCallableActions';
import { WorkerError } from '../../errors';
import type { ApiContext } from '../ApiContext';
import { replyWaitMs } from '../ActionDispatcher';

/** The Connection a request's tools act for, and the actions it may call (listCallableActions). */
export interface ToolTarget {
  readonly integration: string;
  readonly userId: string;
  readonly actions: readonly CallableAction[];
}

/** What this server says it is in its `initialize` answer. */
const SERVER_INFO = { name: 'nango-server actions', version: '1.0.0' };

/**
 * One JSON Schema validator for every server: the SDK makes a new Ajv per Server by default (about 5 ms of CPU),
 * and a server lives for one request here. It checks only elicitation answers, which these servers never ask for.
 */
const SCHEMA_VALIDATOR = new AjvJsonSchemaValidator();

/** Longest idempotency key a tool call may carry in its `_meta`, as the `Idempotency-Key` header's limit. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/**
 * An MCP server (the official SDK's low-level `Server`: the tools' schemas are JSON Schemas from integrations.yaml,
 * not zod) that offers one Connection's callable actions as tools. `tools/call` runs the action through the
 * ActionDispatcher, the very path of `POST /action/trigger`: same worker runner, limits, idempotency store,
 * operations log. A run's failure is a tool error (`isError`) carrying its code and message; an unknown tool is a
 * protocol error (`-32602`), as the SDK's own McpServer answers it.
 */
export function actionToolsServer(context: ApiContext, target: ToolTarget): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: {} }, jsonSchemaValidator: SCHEMA_VALIDATOR });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: target.actions.map(toolOf) }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: input = {}, _meta: meta } = request.params;
    const action = target.actions.find((callable) => callable.name === name);
    if (!action) throw new McpError(McpErrorCode.InvalidParams, await unknownToolMessage(context, target, name));
    const idempotencyKey = meta?.['idempotencyKey'];
    if (idempotencyKey !== undefined && !isIdempotencyKey(idempotencyKey)) {
      return toolError(
        'invalid_request',
        `_meta.idempotencyKey must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      );
    }
    return callTool(context, target, action, input, idempotencyKey);
  });
  return server;
}

function toolOf(action: CallableAction): Tool {
  return { name: action.name, description: action.description, inputSchema: { ...action.inputSchema } };
}

function isIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_IDEMPOTENCY_KEY_LENGTH;
}

/** Runs the action on a worker; its output is the result, its failure a tool error. Never throws. */
async function callTool(
  context: ApiContext,
  target: ToolTarget,
  action: CallableAction,
  input: Record<string, unknown>,
  idempotencyKey: string | undefined,
): Promise<CallToolResult> {
  const dispatcher = context.actions;
  if (!dispatcher) return toolError('not_connected', 'This server runs no broker connection for actions');
  try {
    const ran = await dispatcher.trigger({
      integration: target.integration,
      userId: target.userId,
      action: action.name,
      input,
      idempotencyKey,
      timeoutMs: replyWaitMs(action.timeoutMs),
    });
    const output = ran.output ?? null;
    return {
      content: [{ type: 'text', text: JSON.stringify(output) }],
      // structuredContent must be an object: an output that is not one is in the text alone.
      ...(isPlainObject(output) && { structuredContent: output }),
      ...(ran.operationId && { _meta: { operationId: ran.operationId } }),
    };
  } catch (error) {
    if (error instanceof WorkerError) {
      const code: ErrorCode = isErrorCode(error.code) ? error.code : 'internal_error';
      return toolError(code, error.message, error.operationId);
    }
    // Not ours: a bug. Its details go to the log, never to the agent.
    const incident = randomUUID();
    context.logger.error({ err: error, incident, action: action.name }, 'unexpected error in an MCP tool call');
    return toolError('internal_error', `Internal error (incident ${incident}); see the server log`);
  }
}

/**
 * A tool error as an agent reads it: `<code>: <message>` as text, and `{ error: { code, message } }` (the HTTP API's
 * error body) as structured content. WorkerError messages hold no secret: the HTTP API sends them as they are.
 */
function toolError(code: ErrorCode, message: string, operationId?: string): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}` }],
    structuredContent: { error: { code, message } },
    ...(operationId && { _meta: { operationId } }),
  };
}

/** Why a name is no tool here: no such action, or an action that is not offered (no input schema). */
async function unknownToolMessage(context: ApiContext, target: ToolTarget, name: string): Promise<string> {
  const integration = context.operations.integrations().integrations.get(target.integration);
  const why = integration && (await whyNotCallable(context.operations, integration, name));
  const tools = target.actions.map((action) => action.name).join(', ') || 'none';
  if (why) return `Tool '${name}' is not offered: ${why}; tools of '${target.integration}': ${tools}`;
  return `Unknown tool '${name}': integration '${target.integration}' offers ${tools}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
