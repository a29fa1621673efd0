/**
 * The webhook outbox and delivery log (`webhook_deliveries`): a webhook is stored before it is sent and retried
 * until delivered or out of attempts, so none is lost to a restart. SQLite and PostgreSQL implement it alike.
 * OWNER: the webhooks helper (branch h-webhooks) defines the methods.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WebhookStore {}
