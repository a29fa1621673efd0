import type { WebhookDelivery } from '../store/WebhookStore';

/** One delivery as the delivery log shows it (route and CLI): no body, times as ISO strings. */
export interface DeliveryListing {
  id: string;
  url: string;
  type: string;
  state: WebhookDelivery['state'];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  /** When the next attempt is due (pending deliveries only). */
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export function deliveryListing(delivery: WebhookDelivery): DeliveryListing {
  return {
    id: delivery.id,
    url: delivery.url,
    type: delivery.type,
    state: delivery.state,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    next_attempt_at: delivery.state === 'pending' ? new Date(delivery.nextAttemptAt).toISOString() : null,
    created_at: new Date(delivery.createdAt).toISOString(),
    updated_at: new Date(delivery.updatedAt).toISOString(),
  };
}
