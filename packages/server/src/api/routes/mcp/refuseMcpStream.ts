import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { jsonRpcError } from '../../mcp/jsonRpcError';

/**
 * `GET /mcp` and `DELETE /mcp`: 405. The MCP server is stateless (routes/mcp/postMcp.ts): there is no stream of
 * server-initiated messages to open and no session to end. The body is a JSON-RPC error, as MCP clients expect; the
 * official client takes a 405 on GET as "no stream" and goes on.
 */
export function registerRefuseMcpStream(app: FastifyInstance, _context: ApiContext): void {
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      handler: async (_request, reply) =>
        reply
          .code(405)
          .header('allow', 'POST')
          .send(
            jsonRpcError(
              -32000,
              `Method not allowed: this MCP server is stateless, it takes POST only (no ${method === 'GET' ? 'SSE stream' : 'session to end'})`,
            ),
          ),
    });
  }
}
