import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@nangohq/protocol';
import { WorkerError } from '../../../errors';
import type { OperationHandle } from '../../../operationLog/OperationLog';
import type { IncomingWebhook } from '../../../providerWebhooks/IncomingWebhook';
import type { ProviderWebhookMessage } from '../../../providerWebhooks/providerWebhookQueue';
import { routeOf } from '../../../providerWebhooks/webhookRoutes';
import type { ApiContext } from '../../ApiContext';
import type { ApiErrorBody } from '../../ApiError';
import { OPERATION_ID_HEADER } from '../../operationIdHeader';

interface Params {
  environment?: string;
  integration: string;
}

const PARAMS_SCHEMA = {
  type: 'object',
  required: ['integration'],
  properties: {
    environment: { type: 'string', minLength: 1, maxLength: 128 },
    integration: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

/**
 * `POST /webhook/:environment/:integration` (Nango's shape: the environment is NANGO_ENVIRONMENT or
 * NANGO_ENVIRONMENT_UUID) and `POST /webhook/:integration`: a provider's webhook. Public (providers carry no secret
 * key): what proves it is the provider's signature, checked on the exact bytes by the integration's route
 * (providerWebhooks/webhookRoutes.ts). An accepted webhook is queued on `<queue>.webhooks` (confirmed by the broker)
 * and answered 200 `{ status: 'success' }` at once; a worker finds its Connections, forwards it and runs the subscribed
 * functions. Every reception is an operation (`webhook`, `incoming`). Refusals: 404 `not_found` (another environment),
 * 404 `unknown_integration`, 401 `unauthorized` (bad or missing signature, no secret to check with), 400
 * `invalid_request` (a body that is not JSON), 413 `payload_too_large` (over NANGO_PROVIDER_WEBHOOK_MAX_BYTES), 503
 * `connection_failed` (the broker did not take it: the provider retries).
 */
export function registerPostProviderWebhook(app: FastifyInstance, context: ApiContext): void {
  const bodyLimit = context.workerSettings.providerWebhookMaxBytes;
  void app.register(async (scope) => {
    // Any content type, kept as bytes: signatures are over the body exactly as sent.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
    // Errors before the handler (a body over the limit) are receptions too: logged, then answered as everywhere.
    scope.setErrorHandler((error: FastifyError, request: FastifyRequest<{ Params: Params }>, reply) => {
      if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
      const operation = startReception(context, request);
      const message = `The webhook body is larger than NANGO_PROVIDER_WEBHOOK_MAX_BYTES (${bodyLimit} bytes)`;
      return refuse(context, reply, operation, 413, 'payload_too_large', message);
    });
    const options = { schema: { params: PARAMS_SCHEMA }, bodyLimit, config: { public: true, ownInputChecks: true } };
    const handler = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => receive(context, request, reply);
    scope.post<{ Params: Params }>('/webhook/:environment/:integration', options, handler);
    scope.post<{ Params: Params }>('/webhook/:integration', options, handler);
  });
}

async function receive(context: ApiContext, request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<unknown> {
  const operation = startReception(context, request);
  const { environment, integration: key } = request.params;
  const settings = context.workerSettings;
  if (environment !== undefined && environment !== settings.environment && environment !== settings.environmentUuid) {
    const message = `No environment '${environment}': this server's is '${settings.environment}' (NANGO_ENVIRONMENT${settings.environmentUuid ? ' or NANGO_ENVIRONMENT_UUID' : ''})`;
    return refuse(context, reply, operation, 404, 'not_found', message);
  }
  const integration = context.registry.snapshot().integrations.get(key);
  if (!integration) {
    return refuse(context, reply, operation, 404, 'unknown_integration', `No integration '${key}': GET /integrations lists them`);
  }
  const route = routeOf(integration);
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const webhook: IncomingWebhook = {
    rawBody,
    headers: request.headers,
    method: request.method,
    url: `${context.settings.serverUrl.replace(/\/+$/, '')}${request.url}`,
  };
  const reception = route.receive(webhook, integration, Date.now());
  operation.set({ route: route.name, provider: integration.provider?.name ?? null });
  if (reception.kind === 'refused') {
    const code = reception.status === 401 ? 'unauthorized' : 'invalid_request';
    return refuse(context, reply, operation, reception.status, code, reception.message);
  }
  if (reception.kind === 'answer') {
    operation.message('info', 'a handshake the provider sends to check the URL, answered and not queued');
    operation.end('success');
    return reply.code(200).header(OPERATION_ID_HEADER, operation.id).send(reception.body);
  }
  const types = [...new Set(reception.events.map((event) => event.type).filter((type) => type !== undefined))];
  operation.set({ events: reception.events.length, types: types.join(',').slice(0, 200) });
  const message = { integration: key, provider: integration.provider?.name, operationId: operation.id, receivedAt: Date.now() };
  const notQueued = await publish(context, { ...message, events: reception.events, payload: reception.payload });
  if (notQueued !== undefined) return refuse(context, reply, operation, 503, 'connection_failed', notQueued);
  operation.message('info', 'queued for a worker');
  operation.end('success');
  return reply.code(200).header(OPERATION_ID_HEADER, operation.id).send({ status: 'success' });
}

/** Queues an accepted webhook, confirmed by the broker; why it could not be, when it could not (the provider retries). */
async function publish(context: ApiContext, message: ProviderWebhookMessage): Promise<string | undefined> {
  try {
    if (!context.actions) throw new WorkerError('connection_failed', 'This HTTP API has no broker connection');
    await context.actions.publishWebhook(message);
    return undefined;
  } catch (error) {
    const { integration, operationId } = message;
    context.logger.warn({ err: error, integration, operationId }, 'provider webhook not queued');
    return error instanceof WorkerError ? error.message : 'The webhook could not be queued';
  }
}

/** The reception's operation: kind `webhook`, name `incoming`; its integration as the path named it. */
function startReception(context: ApiContext, request: FastifyRequest<{ Params: Params }>): OperationHandle {
  const length = Number(request.headers['content-length'] ?? NaN);
  return context.operations.log.start({
    kind: 'webhook',
    name: 'incoming',
    integration: request.params.integration,
    fields: { direction: 'incoming', ...(Number.isFinite(length) && { bytes: length }) },
  });
}

/** A refusal: recorded in the operation and the server log (no body, no header, no secret), then answered. */
function refuse(
  context: ApiContext,
  reply: FastifyReply,
  operation: OperationHandle,
  status: number,
  code: ErrorCode,
  message: string,
): FastifyReply {
  operation.set({ status });
  operation.end('failed', { code, message });
  context.logger.warn({ status, code, operationId: operation.id }, `provider webhook refused: ${message}`);
  const body: ApiErrorBody = { error: { code, message } };
  return reply.code(status).header(OPERATION_ID_HEADER, operation.id).send(body);
}
