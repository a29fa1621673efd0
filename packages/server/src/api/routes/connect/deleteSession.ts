import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { requireSession } from './sessionWire';

/** `DELETE /connect/session` with `Authorization: Bearer <session token>`: ends the session at once. 204. */
export function registerDeleteConnectSession(app: FastifyInstance, context: ApiContext): void {
  app.delete('/connect/session', { config: { connectSession: true } }, async (request, reply) => {
    const { token } = await requireSession(context, request);
    await context.store.connectSessions.delete(token);
    return reply.code(204).send();
  });
}
