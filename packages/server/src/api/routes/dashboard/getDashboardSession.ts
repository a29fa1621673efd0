import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { sessionTokenOf } from '../../dashboard/sessionCookie';
import { sessionState } from './sessionState';

/**
 * `GET /dashboard/session`: `{ signedIn, open, methods, user?, csrfToken?, expiresAt? }`, the state of the session
 * the request's cookie names (signedIn false without one, or when it ended). Needs no key: the sign-in page asks it
 * which forms to show. Never cached.
 */
export function registerGetDashboardSession(app: FastifyInstance, context: ApiContext): void {
  app.get('/dashboard/session', { config: { public: true } }, async (request, reply) => {
    const token = sessionTokenOf(request);
    const session = token === undefined ? undefined : await context.store.dashboardSessions.get(token);
    return reply.header('cache-control', 'no-store').send(sessionState(context.settings, session));
  });
}
