import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import { DASHBOARD_KEY_USER } from '../../../store/DashboardSessionStore';
import type { ApiContext } from '../../ApiContext';
import type { ApiErrorBody } from '../../ApiError';
import { isOwnOrigin } from '../../dashboard/changeGuard';
import { secureCookies, sessionCookie } from '../../dashboard/sessionCookie';
import { secretEquals } from '../../secretKey';
import { sessionState } from './sessionState';

/** Sign-in attempts per client address and minute: enough for typing mistakes, too few to guess a password. */
const SIGN_IN_ATTEMPTS_PER_MINUTE = 10;

const SECRET = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const schema = {
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { secretKey: SECRET, user: { type: 'string', minLength: 1, maxLength: 255 }, password: SECRET },
  },
} as const;

interface Request {
  Body: { secretKey?: string; user?: string; password?: string } | undefined;
}

/**
 * `POST /dashboard/session` with `{ secretKey }` or `{ user, password }` (NANGO_DASHBOARD_USER and _PASSWORD): signs in,
 * sets the session cookie and answers the session's state (its `csrfToken` included). Wrong credentials are a 401
 * that does not say which part was wrong; a missing or extra field a 400 naming it. Needs no key (it is how one
 * gets in); limited to SIGN_IN_ATTEMPTS_PER_MINUTE per client address.
 */
export function registerPostDashboardSession(app: FastifyInstance, context: ApiContext): void {
  const limit = app.rateLimit({
    max: SIGN_IN_ATTEMPTS_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => `dashboard-sign-in:${request.ip}`,
  });
  app.post<Request>('/dashboard/session', { schema, config: { public: true }, onRequest: limit }, async (request, reply) => {
    const { settings } = context;
    const dashboard = settings.dashboard;
    if (dashboard === undefined) throw new Error('the dashboard routes are registered only when it is on');
    // A sign-in from another site's page would sign the browser in as someone else: same origin only.
    const origin = request.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, request, settings.serverUrl)) {
      const body: ApiErrorBody = {
        error: {
          code: 'origin_not_allowed',
          message: "Sign in from this server's own dashboard page: the Origin header names another origin",
        },
      };
      return reply.code(403).send(body);
    }
    const user = signedInUser(request.body ?? {}, settings.secretKey, dashboard.user, dashboard.password);
    if (user === undefined) {
      const body: ApiErrorBody = {
        error: { code: 'unauthorized', message: 'Wrong sign-in: check what you typed and try again' },
      };
      return reply.code(401).send(body);
    }
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session = {
      user,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + dashboard.sessionTtlMs,
    };
    await context.store.dashboardSessions.create(token, session);
    const cookie = sessionCookie(token, Math.floor(dashboard.sessionTtlMs / 1000), secureCookies(settings.serverUrl));
    return reply.header('set-cookie', cookie).header('cache-control', 'no-store').send(sessionState(settings, session));
  });
}

/**
 * The user the body signs in as, or undefined for wrong credentials.
 * @throws WorkerError `invalid_request` naming the field that is missing, or that this server does not take
 */
function signedInUser(
  body: { secretKey?: string; user?: string; password?: string },
  secretKey: string | undefined,
  expectedUser: string | undefined,
  expectedPassword: string | undefined,
): string | undefined {
  const byKey = body.secretKey !== undefined;
  const byPassword = body.user !== undefined || body.password !== undefined;
  if (secretKey === undefined && expectedUser === undefined) {
    throw new WorkerError(
      'invalid_request',
      'This server has neither NANGO_SECRET_KEY nor a dashboard user: the dashboard is open, no sign-in is needed',
    );
  }
  if (byKey && byPassword)
    throw new WorkerError('invalid_request', 'body: send either secretKey, or user and password, not both');
  if (byKey) {
    if (secretKey === undefined) {
      throw new WorkerError(
        'invalid_request',
        'body/secretKey: this server has no NANGO_SECRET_KEY; sign in with user and password',
      );
    }
    return secretEquals(body.secretKey as string, secretKey) ? DASHBOARD_KEY_USER : undefined;
  }
  if (!byPassword) {
    const needed = secretKey !== undefined ? 'secretKey' : 'user and password';
    throw new WorkerError('invalid_request', `body must have required property '${needed}'`);
  }
  if (expectedUser === undefined || expectedPassword === undefined) {
    throw new WorkerError(
      'invalid_request',
      'body/user: this server has no dashboard user (NANGO_DASHBOARD_USER); sign in with the secret key',
    );
  }
  if (body.user === undefined) throw new WorkerError('invalid_request', "body must have required property 'user'");
  if (body.password === undefined) throw new WorkerError('invalid_request', "body must have required property 'password'");
  // Both compared, always: the time taken says nothing about which one was wrong.
  const userMatches = secretEquals(body.user, expectedUser);
  const passwordMatches = secretEquals(body.password, expectedPassword);
  return userMatches && passwordMatches ? expectedUser : undefined;
}
