import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../ApiContext';
import { apiLinksDown, checkReadiness, LIVE, readinessAnswer } from '../readiness';

/**
 * `GET /health` (and plain HTTP `GET /`, where the 2023 server answered health): 200 `{ status: 'ok' }`, the
 * liveness answer: the process serves HTTP. A WebSocket upgrade on `/` is the frontend's result channel:
 * `connection_ack` with its `ws_client_id` at once (contract B.3).
 *
 * `GET /health/ready`, the readiness answer: 200 `{ status: 'ok' }` when this process's broker links are up and its
 * store answers, else 503 `{ status: 'unavailable', down: ['broker:requests', 'store', ...] }`. No key, like /health.
 */
export function registerHealth(app: FastifyInstance, context: ApiContext): void {
  app.get('/health', { config: { public: true } }, async () => LIVE);
  app.get('/health/ready', { config: { public: true } }, async (_request, reply) => {
    const readiness = await (context.readiness?.() ?? checkReadiness(apiLinksDown(context), context.store));
    const { status, body } = readinessAnswer(readiness);
    return reply.code(status).send(body);
  });
  app.route({
    method: 'GET',
    url: '/',
    config: { public: true },
    handler: async () => LIVE,
    wsHandler: (socket) => {
      context.sockets.accept(socket);
    },
  });
}
