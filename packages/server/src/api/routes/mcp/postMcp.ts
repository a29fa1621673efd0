import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listCallableActions } from '../../../operations/listCallableActions';
import type { ApiContext } from '../../ApiContext';
import { jsonRpcError } from '../../mcp/jsonRpcError';

/** The MCP SDK (zod, its own ajv: some 250 modules) loads with the first MCP request, not at every start. */
const mcpSdk = () => ({
  ...(require('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js') as typeof import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js')),
  ...(require('../../mcp/actionToolsServer') as typeof import('../../mcp/actionToolsServer')),
});

const schema = {
  headers: {
    type: 'object',
    required: ['connection-id', 'provider-config-key'],
    properties: {
      'connection-id': CONNECTION_ID_SCHEMA,
      'provider-config-key': { type: 'string', minLength: 1, maxLength: 128 },
    },
  },
} as const;

const BATCH_REFUSED =
  'Invalid Request: this MCP server takes one JSON-RPC message per POST, not a batch (each counts against NANGO_API_RATE_LIMIT)';

interface PostMcp {
  Headers: { 'connection-id': string; 'provider-config-key': string };
  Body: unknown;
}

/**
 * `POST /mcp` (headers `Connection-Id`, `Provider-Config-Key`): the MCP server of one Connection, over the streamable
 * HTTP transport in stateless mode. Each request gets a fresh server and transport (the official SDK's), answers in
 * JSON (no SSE stream: no message goes to the client but the answers) and keeps nothing: no `Mcp-Session-Id` is
 * given, so any API process can answer any request and the secret key and headers are checked every time.
 * Its tools are the Connection's callable actions (operations/listCallableActions.ts). An unknown integration or
 * Connection is refused before any MCP message is read: 404 `unknown_integration` / `connection_not_found`.
 */
export function registerPostMcp(app: FastifyInstance, context: ApiContext): void {
  app.post<PostMcp>('/mcp', { schema }, async (request, reply) => {
    if (Array.isArray(request.body)) {
      // JSON-RPC batches left MCP in 2025-06-18, and the SDK would run up to 100 calls for one request, past the
      // API's rate limit, which counts requests.
      return reply.code(400).send(jsonRpcError(-32600, BATCH_REFUSED));
    }
    const integration = request.headers['provider-config-key'];
    const userId = request.headers['connection-id'];
    const actions = await listCallableActions(context.operations, integration, userId);
    const { actionToolsServer, WebStandardStreamableHTTPServerTransport } = mcpSdk();
    const server = actionToolsServer(context, { integration, userId, actions });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(webRequestOf(request), { parsedBody: request.body });
      void reply.code(response.status);
      response.headers.forEach((value, name) => void reply.header(name, value));
      const body = await response.text();
      return await reply.send(body === '' ? undefined : body);
    } finally {
      await server.close();
    }
  });
}

/**
 * What the transport reads of the request, as a web Request: its URL, method and headers (Accept and Content-Type
 * are checked, `Mcp-Protocol-Version` read). The body is not copied: Fastify parsed it already (`parsedBody`).
 */
function webRequestOf(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const one of value) headers.append(name, one);
  }
  return new Request(`http://localhost${request.url}`, { method: request.method, headers });
}
