import { credentialsQueue } from '@nangohq/protocol';

// The names of every queue the product declares beside a request queue `<queue>`, in one place: the doors, the
// operations and the tools that clean up after a worker all derive them from here.

/** Where requests that cannot be answered end up, for inspection: `<queue>.dead`. */
export function deadLetterQueue(queue: string): string {
  return `${queue}.dead`;
}

/** Where action requests wait when a worker already holds its share of them: `<queue>.actions`. */
export function overflowQueue(queue: string): string {
  return `${queue}.actions`;
}

/** The durable queue of async action runs: `<queue>.async`, each message `{ "id": "<uuid>" }`. */
export function asyncActionQueue(queue: string): string {
  return `${queue}.async`;
}

/** The durable queue of sync run messages: `<queue>.syncs`. */
export function syncQueue(queue: string): string {
  return `${queue}.syncs`;
}

/** The durable queue of provider webhooks received by `/webhook/...`, routed by workers: `<queue>.webhooks`. */
export function providerWebhookQueue(queue: string): string {
  return `${queue}.webhooks`;
}

/**
 * The durable queue of on-event function runs that must outlive the process that queued them (post-connection-creation):
 * `<queue>.events`, each message `{ event, integration, userId, parentId? }`.
 */
export function onEventQueue(queue: string): string {
  return `${queue}.events`;
}

/**
 * Every queue the workers of `queue` declare: requests and their dead letters, credential-bearing requests, the
 * action overflow and its dead letters, async actions, sync runs, on-event runs and provider webhooks. For tools and tests
 * that clean up after a * worker (`rabbitmqctl delete_queue` each, or amqplib's deleteQueue).
 */
export function workerQueueNames(queue: string): string[] {
  return [
    queue,
    deadLetterQueue(queue),
    credentialsQueue(queue),
    overflowQueue(queue),
    deadLetterQueue(overflowQueue(queue)),
    asyncActionQueue(queue),
    syncQueue(queue),
    onEventQueue(queue),
    providerWebhookQueue(queue),
  ];
}

/**
 * The fanout exchange the API processes of `queue` share to hand each other the frontends' flow results:
 * `<queue>.flow-results`. Not durable and auto-deleted: it lives while any API process is bound to it, each with an
 * exclusive queue of its own that the broker deletes with its connection.
 */
export function flowResultsExchange(queue: string): string {
  return `${queue}.flow-results`;
}
