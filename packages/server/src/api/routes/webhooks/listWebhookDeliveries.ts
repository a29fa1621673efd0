import type { FastifyInstance } from 'fastify';
import type { DeliveryState } from '../../../store/WebhookStore';
import { deliveryListing } from '../../../webhooks/deliveryListing';
import type { ApiContext } from '../../ApiContext';
import { integerIn } from '../../integerIn';

const schema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      state: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
      limit: { ...integerIn(1, 1000), default: 100 },
    },
  },
} as const;

interface Request {
  Querystring: { state?: DeliveryState; limit: number };
}

/**
 * `GET /webhooks/deliveries?state=&limit=`: the delivery log, newest first: `{ deliveries: [{ id, url, type, state,
 * attempts, last_status, last_error, next_attempt_at, created_at, updated_at }] }`. Bodies are not shown.
 */
export function registerListWebhookDeliveries(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/webhooks/deliveries', { schema }, async (request) => {
    const { state, limit } = request.query;
    const deliveries = await context.store.webhooks.list({ ...(state !== undefined && { state }), limit });
    return { deliveries: deliveries.map(deliveryListing) };
  });
}
