import { randomUUID } from 'node:crypto';
import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { validateActionInput } from '../../../config/actionInput';
import { statusUrlOf } from '../../../asyncActions/asyncActionQueue';
import type { ActionConfig } from '../../../config/types';
import { requireAction, requireIntegration } from '../../../operations/OperationContext';
import { connectionNotFound, WorkerError } from '../../../errors';
import { replyWaitMs } from '../../ActionDispatcher';
import type { ApiContext } from '../../ApiContext';
import { apiError } from '../../ApiError';
import { integerIn } from '../../integerIn';
import { OPERATION_ID_HEADER } from '../../operationIdHeader';

const schema = {
  headers: {
    type: 'object',
    required: ['connection-id', 'provider-config-key'],
    properties: {
      'connection-id': CONNECTION_ID_SCHEMA,
      'provider-config-key': { type: 'string', minLength: 1, maxLength: 128 },
      'idempotency-key': { type: 'string', minLength: 1, maxLength: 256 },
      'x-async': { type: 'string', enum: ['true', 'false'] },
      'x-max-retries': integerIn(0, 5),
    },
  },
  body: {
    type: 'object',
    required: ['action_name'],
    properties: {
      action_name: { type: 'string', minLength: 1, maxLength: 128 },
      input: { type: ['object', 'null'] },
    },
  },
} as const;

interface Request {
  Headers: {
    'connection-id': string;
    'provider-config-key': string;
    'idempotency-key'?: string;
    'x-async'?: 'true' | 'false';
    'x-max-retries'?: number;
  };
  Body: { action_name: string; input?: Record<string, unknown> | null };
}

/**
 * `POST /action/trigger` (headers `Connection-Id`, `Provider-Config-Key`; body `{ action_name, input }`): runs the
 * action on a worker, through the queue, and answers with its output as raw JSON. `Idempotency-Key` makes it run at
 * most once per key (as triggerAction's idempotencyKey). With `X-Async: true` it is stored and queued, and the reply
 * is 202 with `Location: /action/<id>` and `{ id, statusUrl }` at once; `X-Max-Retries` (0–5) retries retryable
 * failures. A synchronous call's reply, error or not, names the run's operation in `X-Nango-Operation-Id`.
 */
export function registerPostActionTrigger(app: FastifyInstance, context: ApiContext): void {
  app.post<Request>('/action/trigger', { schema }, async (request, reply) => {
    const dispatcher = context.actions;
    if (!dispatcher) throw apiError('not_connected', 'This server runs no broker connection for actions');
    const call = {
      integration: request.headers['provider-config-key'],
      userId: request.headers['connection-id'],
      action: request.body.action_name,
      input: request.body.input ?? {},
      idempotencyKey: request.headers['idempotency-key'],
    };
    if (request.headers['x-async'] === 'true') {
      return triggerAsync(context, reply, { ...call, maxRetries: request.headers['x-max-retries'] ?? 0 });
    }
    const action = context.operations.integrations().integrations.get(call.integration)?.actions.get(call.action);
    const timeoutMs = replyWaitMs(action?.timeoutMs);
    let ran: Awaited<ReturnType<typeof dispatcher.trigger>>;
    try {
      ran = await dispatcher.trigger({ ...call, timeoutMs });
    } catch (error) {
      // The error reply names the failed run's operation too: that is where its log lines are.
      if (error instanceof WorkerError && error.operationId) void reply.header(OPERATION_ID_HEADER, error.operationId);
      throw error;
    }
    if (ran.operationId) void reply.header(OPERATION_ID_HEADER, ran.operationId);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(ran.output ?? null));
  });
}

/**
 * Checks what the worker would refuse at once (so that a 202 is never given for a call bound to fail so), stores
 * the call and publishes it. The row is what makes it durable: a lost publish is picked up by a worker's sweep.
 * @throws WorkerError `unknown_integration`, `unknown_action`, `invalid_action_input`, `connection_not_found`
 */
async function triggerAsync(
  context: ApiContext,
  reply: FastifyReply,
  call: {
    integration: string;
    userId: string;
    action: string;
    input: Record<string, unknown>;
    idempotencyKey: string | undefined;
    maxRetries: number;
  },
): Promise<FastifyReply> {
  const integration = requireIntegration(context.operations, call.integration);
  const action: ActionConfig = await requireAction(context.operations, integration, call.action);
  validateActionInput(action, call.input);
  if (!(await context.operations.store.get(integration.name, call.userId))) {
    throw connectionNotFound(integration.name, call.userId);
  }
  const id = randomUUID();
  const now = Date.now();
  const ttlMs = context.workerSettings.asyncActionTtlSeconds * 1000;
  await context.store.asyncActions.create({ id, ...call }, now, now + ttlMs);
  await context.actions?.publishAsync(id);
  const statusUrl = statusUrlOf(id);
  return reply.code(202).header('location', statusUrl).send({ id, statusUrl });
}
