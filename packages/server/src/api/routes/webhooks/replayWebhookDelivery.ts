import type { FastifyInstance } from 'fastify';
import { deliveryListing } from '../../../webhooks/deliveryListing';
import type { ApiContext } from '../../ApiContext';
import type { ApiErrorBody } from '../../ApiError';

const schema = {
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
  },
} as const;

interface Request {
  Params: { id: string };
}

/**
 * `POST /webhooks/deliveries/:id/replay`: sends a delivered or failed webhook again (same body, same URL, fresh
 * attempts): a running server sends it within a second; `{ delivery }` as it is now (`pending`). One still pending is left as it is. 404 `not_found`.
 */
export function registerReplayWebhookDelivery(app: FastifyInstance, context: ApiContext): void {
  app.post<Request>('/webhooks/deliveries/:id/replay', { schema }, async (request, reply) => {
    const delivery = await context.store.webhooks.replay(request.params.id);
    if (!delivery) {
      const body: ApiErrorBody = { error: { code: 'not_found', message: `No webhook delivery '${request.params.id}'` } };
      return reply.code(404).send(body);
    }
    return { delivery: deliveryListing(delivery) };
  });
}
