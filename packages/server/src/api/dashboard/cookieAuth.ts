import type { FastifyRequest } from 'fastify';
import type { DashboardSession, DashboardSessionStore } from '../../store/DashboardSessionStore';
import type { ApiErrorBody } from '../ApiError';
import { changeRefusal } from './changeGuard';
import { sessionTokenOf } from './sessionCookie';

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard session the request was made with (its cookie), when it had a live one that passed its checks. */
    dashboardSession: DashboardSession | null;
  }
}

/** What a request's session cookie says. */
export type CookieOutcome =
  | { readonly kind: 'none' } // no session cookie
  | { readonly kind: 'ended' } // a cookie whose session expired or was signed out
  | { readonly kind: 'refused'; readonly error: ApiErrorBody['error'] } // a live session, a change without its checks
  | { readonly kind: 'session'; readonly session: DashboardSession };

/**
 * The dashboard session of a request's cookie, checked: one store read, only for a request that carries the
 * cookie (a request with the secret key never gets here, see buildApi).
 */
export async function cookieOutcome(
  request: FastifyRequest,
  sessions: DashboardSessionStore,
  serverUrl: string,
): Promise<CookieOutcome> {
  const token = sessionTokenOf(request);
  if (token === undefined) return { kind: 'none' };
  const session = await sessions.get(token);
  if (session === undefined) return { kind: 'ended' };
  const refusal = changeRefusal(request, session, serverUrl);
  return refusal ? { kind: 'refused', error: refusal } : { kind: 'session', session };
}

/** The 401 message for a cookie whose session is gone. */
export const SESSION_ENDED = 'The dashboard session has ended (signed out, or past NANGO_DASHBOARD_SESSION_TTL_S): sign in again';
