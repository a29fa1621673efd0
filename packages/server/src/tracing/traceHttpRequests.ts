import type { Attributes } from '@opentelemetry/api';
import { otelApi } from './otelApi';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from './semanticConventions';
import type { FastifyInstance } from 'fastify';
import { activeTracer } from './tracer';

/**
 * An HTTP server span per request of the API, named `<method> <route>` (`POST /action/trigger`), a child of the
 * caller's span when the request carries a W3C `traceparent`. Registered first, so every later hook, the body's
 * parsing and the handler run inside it, and the spans they start (the RabbitMQ publish of an action, a provider
 * call of the proxy) belong to it. It ends when the response is closed, with its status code (5xx marks it failed).
 * `url.path` is recorded without its query, which may hold an OAuth code or state. WebSocket upgrades get none: they
 * last as long as the socket.
 *
 * A hook rather than @opentelemetry/instrumentation-http: no module is patched, and nothing happens beyond the API.
 */
export function traceHttpRequests(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const tracer = activeTracer();
    if (tracer === undefined || request.headers.upgrade !== undefined) return done();
    const { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = otelApi();
    const route = request.routeOptions.url;
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_URL_PATH]: request.url.split('?')[0] ?? '/',
      [ATTR_URL_SCHEME]: request.protocol,
      [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.httpVersion,
      [ATTR_CLIENT_ADDRESS]: request.ip,
      ...(route !== undefined && { [ATTR_HTTP_ROUTE]: route }),
      ...(request.headers['user-agent'] !== undefined && { [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'] }),
    };
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const name = route === undefined ? request.method : `${request.method} ${route}`;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    const active = trace.setSpan(parent, span);
    // The body's 'data' events come from the socket, outside any hook: bound, its parsing stays in the span.
    context.bind(active, request.raw);
    context.bind(active, reply.raw);
    context.with(active, done);
  });
}
