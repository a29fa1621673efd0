import type { AttemptOutcome, DeliveryState, WebhookBacklog, WebhookDelivery } from './WebhookStore';

/** A `webhook_deliveries` row as both stores return it. */
export interface DeliveryRow {
  id: string;
  url: string;
  type: string;
  body: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** The columns read into a DeliveryRow. */
export const DELIVERY_COLUMNS =
  'id, url, type, body, state, attempts, next_attempt_at, last_status, last_error, created_at, updated_at';

/** Longest `last_error` kept: a line for the log, not a receiver's whole answer. */
const MAX_ERROR_CHARS = 500;

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    url: row.url,
    type: row.type,
    body: row.body,
    state: row.state,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The columns an outcome writes: state, next_attempt_at (kept when undefined), last_status, last_error. */
export function outcomeColumns(outcome: AttemptOutcome): {
  state: DeliveryState;
  nextAttemptAt: number | undefined;
  status: number | null;
  error: string | null;
} {
  switch (outcome.kind) {
    case 'delivered':
      return { state: 'delivered', nextAttemptAt: undefined, status: outcome.status, error: null };
    case 'retry':
      return {
        state: 'pending',
        nextAttemptAt: outcome.nextAttemptAt,
        status: outcome.status,
        error: outcome.error.slice(0, MAX_ERROR_CHARS),
      };
    case 'failed':
      return {
        state: 'failed',
        nextAttemptAt: undefined,
        status: outcome.status,
        error: outcome.error.slice(0, MAX_ERROR_CHARS),
      };
  }
}

/** A backlog row as either database returns it (PostgreSQL's COUNT is a BIGINT). */
export function toBacklog(row: { pending: number | string; oldest: number | string | null } | undefined): WebhookBacklog {
  const oldest = row?.oldest ?? null;
  return { pending: Number(row?.pending ?? 0), oldestCreatedAt: oldest === null ? null : Number(oldest) };
}

/** Most rows one list returns. */
export const MAX_LISTED = 1000;
