import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import type { ApiErrorBody } from '../../ApiError';
import { changeRefusal } from '../../dashboard/changeGuard';
import { clearedSessionCookie, secureCookies, sessionTokenOf } from '../../dashboard/sessionCookie';

/**
 * `DELETE /dashboard/session`: signs out: the session is deleted from the store (so its cookie opens nothing in any
 * process from now on) and the cookie cleared; 204. A live session's sign-out carries its X-CSRF-Token, like any
 * change; without a session there is nothing to end, and the answer is 204 all the same.
 */
export function registerDeleteDashboardSession(app: FastifyInstance, context: ApiContext): void {
  app.delete('/dashboard/session', { config: { public: true } }, async (request, reply) => {
    const { serverUrl } = context.settings;
    const token = sessionTokenOf(request);
    const session = token === undefined ? undefined : await context.store.dashboardSessions.get(token);
    if (token !== undefined && session !== undefined) {
      const refusal = changeRefusal(request, session, serverUrl);
      if (refusal) return reply.code(403).send({ error: refusal } satisfies ApiErrorBody);
      await context.store.dashboardSessions.delete(token);
    }
    return reply
      .code(204)
      .header('set-cookie', clearedSessionCookie(secureCookies(serverUrl)))
      .send();
  });
}
