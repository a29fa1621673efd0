/**
 * Outgoing webhooks (contract E): the bodies, and the one interface every part that sends one uses. The outbox
 * behind it stores a webhook before it is sent and retries it until delivered, so none is lost to a restart.
 */

/** `auth`: a Connection was created or overridden (re-authorised), or its token refresh failed for good (E.2). */
export interface AuthWebhookBody {
  from: 'nango';
  type: 'auth';
  connectionId: string;
  providerConfigKey: string;
  authMode: string;
  provider: string;
  environment: string;
  operation: 'creation' | 'override' | 'refresh';
  success: boolean;
  error?: { type: string; description: string; payload?: unknown };
  tags?: Record<string, string>;
  endUser?: { endUserId: string; endUserEmail?: string; organizationId?: string; tags: Record<string, string> };
}

/** `async_action`: an action triggered with X-Async ended, in success or failure (E.2). */
export interface AsyncActionWebhookBody {
  from: 'nango';
  type: 'async_action';
  connectionId: string;
  providerConfigKey: string;
  payload: { id: string; statusUrl: string };
}

/** `sync`: a sync run ended, per model (E.2); sent by the syncs issue. */
export interface SyncWebhookBody {
  from: 'nango';
  type: 'sync';
  connectionId: string;
  providerConfigKey: string;
  syncName: string;
  syncVariant: string;
  model: string;
  syncType: 'INCREMENTAL' | 'INITIAL' | 'WEBHOOK';
  success: boolean;
  responseResults?: { added: number; updated: number; deleted: number };
  modifiedAfter?: string;
  queryTimeStamp?: string;
  checkpoints?: { from: unknown; to: unknown };
  error?: { type: string; description: string; payload?: unknown };
  startedAt?: string;
  failedAt?: string;
}

/**
 * `forward`: a provider webhook relayed to the app (contract E.2), when its integration forwards them
 * (`forward_webhooks`): one per Connection it was routed to, or one without `connectionId` when none was found.
 */
export interface ForwardWebhookBody {
  /** The provider (catalog entry) it came from, e.g. `github-app`; the integration's key when it has none. */
  from: string;
  type: 'forward';
  connectionId?: string;
  providerConfigKey: string;
  payload: unknown;
}

export type WebhookBody = AuthWebhookBody | AsyncActionWebhookBody | SyncWebhookBody | ForwardWebhookBody;

/** Where one webhook goes besides the configured URLs. */
export interface WebhookTarget {
  /** A Connection's `webhook_url_override`: replaces the primary URL and drops the secondary one (E.3). */
  urlOverride?: string;
}

/**
 * Sends webhooks. `enqueue` resolves once the webhook is stored in the outbox (or known to be switched off: no URL
 * configured, or its NANGO_WEBHOOK_ON_* switch off); delivery happens after, with retries.
 */
export interface Webhooks {
  enqueue(body: WebhookBody, target?: WebhookTarget): Promise<void>;
  /** The environment name `auth` bodies carry (NANGO_ENVIRONMENT); absent on NO_WEBHOOKS and fakes ('prod'). */
  readonly environment?: string;
}

/** No webhooks at all: what parts get until the outbox is wired in, and in unit tests. */
export const NO_WEBHOOKS: Webhooks = { enqueue: () => Promise.resolve() };
