import type { FastifyRequest } from 'fastify';
import type { ApiErrorBody } from '../ApiError';
import { secretEquals } from '../secretKey';
import type { DashboardSession } from '../../store/DashboardSessionStore';

/** Methods that change nothing: a cookie alone authenticates them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header a change made with a session cookie carries the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Why a request authenticated by a session cookie may not go through, or undefined when it may. A change (any
 * method but GET, HEAD and OPTIONS) must carry the session's CSRF token in X-CSRF-Token (compared in constant time),
 * and, when the browser says where it comes from (Origin), come from this server's origin: NANGO_SERVER_URL's, or
 * the one the request was addressed to (its Host, as a browser on http://127.0.0.1:3003 sends it).
 */
export function changeRefusal(
  request: FastifyRequest,
  session: DashboardSession,
  serverUrl: string,
): ApiErrorBody['error'] | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, request, serverUrl)) {
    return {
      code: 'origin_not_allowed',
      message: `A change made with a dashboard session must come from this server's own pages; the Origin header names another origin`,
    };
  }
  const given = request.headers[CSRF_HEADER];
  if (typeof given !== 'string' || given === '' || !secretEquals(given, session.csrfToken)) {
    return {
      code: 'invalid_csrf_token',
      message:
        given === undefined
          ? 'A change made with a dashboard session must carry the X-CSRF-Token header (the csrfToken of GET /dashboard/session)'
          : 'The X-CSRF-Token header is not the csrfToken of this dashboard session (GET /dashboard/session tells it)',
    };
  }
  return undefined;
}

/** Whether `origin` is this server's: NANGO_SERVER_URL's origin, or the scheme and Host the request came with. */
export function isOwnOrigin(origin: string, request: FastifyRequest, serverUrl: string): boolean {
  if (origin === new URL(serverUrl).origin) return true;
  const host = request.headers.host;
  return host !== undefined && origin === `${request.protocol}://${host}`;
}
