import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../ApiContext';

/**
 * `GET /health` (and plain HTTP `GET /`, where the 2023 server answered health): 200 `{ status: 'ok' }`. A WebSocket
 * upgrade on `/` is the frontend's result channel: `connection_ack` with its `ws_client_id` at once (contract B.3).
 */
export function registerHealth(app: FastifyInstance, context: ApiContext): void {
  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok' }));
  app.route({
    method: 'GET',
    url: '/',
    config: { public: true },
    handler: async () => ({ status: 'ok' }),
    wsHandler: (socket) => {
      context.sockets.accept(socket);
    },
  });
}
