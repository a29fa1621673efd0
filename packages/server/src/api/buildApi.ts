import { randomUUID } from 'node:crypto';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { isErrorCode, MAX_CONNECTION_ID_LENGTH } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import type { ApiContext } from './ApiContext';
import { statusOf, type ApiErrorBody } from './ApiError';
import { clientErrorCode, jsonOnly, registerCors, registerRateLimit, ReplyError } from './crossCutting';
import { MALFORMED_AUTHORIZATION, parseAuthorization } from './parseAuthorization';
import { integerKeyword } from './integerIn';
import { lazyRouteSchemas } from './lazyRouteSchemas';
import { refuseNulCharacters } from './nulCharacter';
import { checkSecretKey } from './secretKey';
import { registerRoutes } from './routes';
import { cookieOutcome, SESSION_ENDED, type CookieOutcome } from './dashboard/cookieAuth';
import { clearedSessionCookie, secureCookies } from './dashboard/sessionCookie';
import { traceHttpRequests } from '../tracing/traceHttpRequests';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no secret key: the OAuth flow, health, the frontend file, the WebSocket. */
    public?: boolean;
    /** The route is authenticated by a connect session token instead (routes/connect/sessionWire.ts requireSession). */
    connectSession?: boolean;
    /** The route takes a body of any content type and size, read by itself (the proxy): no JSON-only rule. */
    anyContentType?: boolean;
    /** The route checks its own input (the OAuth flow pages, the proxy): no generic NUL refusal (nulCharacter.ts). */
    ownInputChecks?: boolean;
  }
  interface FastifyInstance {
    /**
     * Compiles every route schema now rather than on its route's first request (see lazyRouteSchemas); returns how
     * many there are. For tests: a bad schema fails them, not a user's first request.
     */
    compileRouteSchemas(): number;
  }
}

/** Largest request body accepted by the JSON routes. */
const BODY_LIMIT = 1024 * 1024;

/**
 * Longest path parameter the router hands to a route, in UTF-16 units after decoding: well past the longest id
 * (255 characters of up to two units each), so that the route's schema names the parameter and its limit.
 */
const MAX_PATH_PARAM_LENGTH = 2048;

/**
 * The HTTP API: Fastify with CORS, the rate limit, the WebSocket plugin, the secret-key check, one error format and
 * every route of ./routes. Not listening yet: the caller listens (or injects requests in tests) and closes it.
 *
 * Bodies: every route takes JSON only (any other Content-Type is a 415 `invalid_content_type`; no body or no
 * Content-Type is fine) up to BODY_LIMIT (past it, 413 `payload_too_large`). A route that takes any body, such as
 * `/proxy/*`, opts out in an encapsulated plugin of its own, where its parsers replace the JSON-only ones:
 *
 *   app.register(async (scope) => {
 *     scope.removeAllContentTypeParsers();
 *     scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload)); // the raw stream
 *     scope.all('/proxy/*', { bodyLimit: Number.MAX_SAFE_INTEGER }, handler);           // streamed, not buffered
 *   });
 *
 * (a body-less request, with Content-Type or not, reaches the handler unparsed). CORS, the rate limit and the
 * secret-key check are hooks of the root, so they apply inside such a plugin too.
 */
export async function buildApi(context: ApiContext): Promise<FastifyInstance> {
  const schemas = lazyRouteSchemas();
  const app = Fastify({
    loggerInstance: context.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Request URLs carry OAuth codes and states: no line per request. Errors are logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: true }, plugins: [integerKeyword] },
    // Each route's schemas are compiled on its first request, not at start (see lazyRouteSchemas).
    schemaController: schemas.schemaController,
    // A path parameter may hold any id up to MAX_CONNECTION_ID_LENGTH characters, percent-encoded or not, so that
    // the route's schema, not the router's default of 100 (a bare 414), says what is wrong with a longer one.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: (error, _request, reply) => {
      const body: ApiErrorBody = {
        error: {
          code: 'invalid_request',
          message:
            error.code === 'FST_ERR_MAX_PARAM_LENGTH'
              ? `A path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters: ids are at most ${MAX_CONNECTION_ID_LENGTH}`
              : 'The URL path is malformed (a percent-escape that is not UTF-8, say)',
        },
      };
      // The reply type here is generic over every route; this one sends our error body.
      void (reply as FastifyReply).code(400).send(body);
    },
  });
  app.decorate('compileRouteSchemas', schemas.compileAll);
  // First of all hooks: everything after it, the secret-key check and the handler included, runs in the request's span.
  traceHttpRequests(app);
  // Order matters: CORS answers preflights before the rate limit and the key check, and the rate limit counts (and
  // labels) every request, those refused for a wrong key included.
  await registerCors(app, context);
  await registerRateLimit(app, context);
  jsonOnly(app);
  refuseNulCharacters(app);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  // Who a request comes from: the secret key, else a dashboard session cookie (cookieAuth.ts), else nobody.
  app.decorateRequest('dashboardSession', null);
  app.addHook('onRequest', async (request, reply) => {
    const { secretKey, dashboard, serverUrl } = context.settings;
    const { config } = request.routeOptions;
    if (config.public === true || config.connectSession === true) return;
    const header = request.headers.authorization;
    // The secret key first: a request that carries it costs no store read.
    const { given, valid } = checkSecretKey(request, secretKey);
    if (valid) return;
    const cookie: CookieOutcome = dashboard
      ? await cookieOutcome(request, context.store.dashboardSessions, serverUrl)
      : { kind: 'none' };
    if (cookie.kind === 'session') request.dashboardSession = cookie.session;
    // An open API (no secret key) refuses nobody: there, a session only names who calls (credentials_revealed).
    if (secretKey === undefined || cookie.kind === 'session') return;
    if (cookie.kind === 'refused') return reply.code(403).send({ error: cookie.error } satisfies ApiErrorBody);
    if (cookie.kind === 'ended') {
      const body: ApiErrorBody = { error: { code: 'unauthorized', message: SESSION_ENDED } };
      return reply
        .code(401)
        .header('set-cookie', clearedSessionCookie(secureCookies(serverUrl)))
        .send(body);
    }
    const body: ApiErrorBody = { error: { code: 'unauthorized', message: refusal(header, given) } };
    return reply.code(401).header('www-authenticate', 'Bearer').send(body);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ReplyError) return reply.code(error.statusCode).send(error.body);
    const body = errorBody(error, request.method, request.routeOptions.url ?? '', context);
    return reply.code(body.status).send({ error: body.error } satisfies ApiErrorBody);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ApiErrorBody = {
      error: { code: 'route_not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` },
    };
    return reply.code(404).send(body);
  });

  const { metrics } = context;
  if (metrics) {
    // After the reply went out, so counting costs the caller nothing; by route pattern, never the URL.
    app.addHook('onResponse', (request, reply, done) => {
      metrics.http.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
      done();
    });
  }

  registerRoutes(app, context);
  return app;
}

/** Why a request's key was refused, without quoting it: no header, a malformed one, or a key that is not ours. */
function refusal(header: string | undefined, given: string | undefined): string {
  if (parseAuthorization(header).kind === 'malformed') return MALFORMED_AUTHORIZATION;
  if (given === undefined) {
    return 'This server requires its secret key: send it as "Authorization: Bearer <key>" (or Basic, as the user name)';
  }
  return "The key in the Authorization header is not this server's secret key (NANGO_SECRET_KEY)";
}

/** One error as its status and body: our codes as they are, Fastify's client errors as invalid_request, the rest as bugs. */
function errorBody(
  error: FastifyError,
  method: string,
  route: string,
  context: ApiContext,
): { status: number; error: ApiErrorBody['error'] } {
  if (error instanceof WorkerError && isErrorCode(error.code)) {
    // An action's ActionError: Nango's shape (its code, status and fixed message), with the action's own payload.
    if (error.payload !== undefined) {
      const message = 'The action script failed with a runtime error';
      return { status: 500, error: { code: 'action_script_runtime_error', message, payload: error.payload } };
    }
    return { status: statusOf(error.code), error: { code: error.code, message: error.message } };
  }
  const clientError = clientErrorCode(error);
  if (clientError) return { status: clientError.status, error: { code: clientError.code, message: clientError.message } };
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    const message = error.validation
      .map((problem) => `${where}${problem.instancePath} ${problem.message ?? 'is invalid'}${detailOf(problem.params)}`)
      .join('; ');
    return { status: 400, error: { code: 'invalid_request', message } };
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors: bad JSON, unsupported content type, body too large. Their messages hold no values.
    return { status, error: { code: 'invalid_request', message: error.message } };
  }
  const incident = randomUUID();
  context.logger.error({ err: error, incident, method, route }, 'unexpected error in an HTTP route');
  return { status: 500, error: { code: 'internal_error', message: `Internal error (incident ${incident}); see the server log` } };
}

/**
 * What ajv's words leave out: the unknown field an `additionalProperties` problem is about, or the values an `enum`
 * allows, so the message names them.
 */
function detailOf(params: Record<string, unknown>): string {
  if (typeof params['additionalProperty'] === 'string') return `: '${params['additionalProperty']}'`;
  const allowed = params['allowedValues'];
  if (Array.isArray(allowed)) return ` (${allowed.map((value) => JSON.stringify(value)).join(', ')})`;
  return '';
}
