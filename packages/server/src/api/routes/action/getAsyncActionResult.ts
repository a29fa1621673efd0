import type { FastifyInstance } from 'fastify';
import { isErrorCode } from '@nangohq/protocol';
import type { ApiContext } from '../../ApiContext';
import { apiError, statusOf, type ApiErrorBody } from '../../ApiError';

const schema = {
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;

interface Request {
  Params: { id: string };
}

/**
 * `GET /action/:id`: the outcome of an async action. 404 `not_found` while it is queued or running (and once it
 * expired); then 200 with its output as raw JSON, or the error of its last attempt with that error's status.
 */
export function registerGetAsyncActionResult(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/action/:id', { schema }, async (request, reply) => {
    const { id } = request.params;
    const status = await context.store.asyncActions.status(id, Date.now());
    if (!status) throw apiError('not_found', `The async action '${id}' does not exist or has expired`);
    if (!('outcome' in status)) throw apiError('not_found', `The async action '${id}' has not finished yet (${status.state})`);
    const { outcome } = status;
    if (outcome.ok) return reply.type('application/json; charset=utf-8').send(outcome.json ?? 'null');
    const code = isErrorCode(outcome.code) ? outcome.code : 'internal_error';
    const body: ApiErrorBody = { error: { code, message: outcome.message } };
    return reply.code(statusOf(code)).send(body);
  });
}
