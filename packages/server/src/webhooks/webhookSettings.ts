import type { WorkerSettings } from '../settings';
import type { WebhookBody, WebhookTarget } from './Webhooks';

/** The settings the outbox reads; see WorkerSettings for their environment variables and defaults. */
export type WebhookSettings = Pick<
  WorkerSettings,
  | 'webhookUrl'
  | 'webhookSecondaryUrl'
  | 'webhookSigningKey'
  | 'webhookOnAuthCreation'
  | 'webhookOnAuthRefreshError'
  | 'webhookOnAsyncActionCompletion'
  | 'webhookOnSyncCompletionAlways'
  | 'webhookOnSyncError'
  | 'webhookRetryBaseMs'
  | 'webhookMaxAttempts'
  | 'webhookTimeoutMs'
  | 'environment'
>;

/**
 * Whether a webhook of this kind is switched on (the NANGO_WEBHOOK_ON_* settings, contract E.3). The one place
 * that says which switch governs which body:
 * - `auth`: a refresh failure by webhookOnAuthRefreshError, a creation or override by webhookOnAuthCreation;
 * - `async_action`: webhookOnAsyncActionCompletion;
 * - `sync`: a failed run by webhookOnSyncError; a successful one is sent when it changed records, or always with
 *   webhookOnSyncCompletionAlways;
 * - `forward`: always (the integration's `forward_webhooks` decided already, as Nango's does).
 */
export function isSwitchedOn(body: WebhookBody, settings: WebhookSettings): boolean {
  switch (body.type) {
    case 'auth':
      return body.operation === 'refresh' ? settings.webhookOnAuthRefreshError : settings.webhookOnAuthCreation;
    case 'async_action':
      return settings.webhookOnAsyncActionCompletion;
    case 'forward':
      return true;
    case 'sync': {
      if (!body.success) return settings.webhookOnSyncError;
      const results = body.responseResults;
      const changed = results !== undefined && results.added + results.updated + results.deleted > 0;
      return changed || settings.webhookOnSyncCompletionAlways;
    }
  }
}

/**
 * The URLs a webhook goes to: the primary and the secondary, or, when the Connection overrides it, its own URL in
 * place of the primary and no secondary (contract E.3). The same URL twice is sent once.
 */
export function targetUrls(settings: WebhookSettings, target: WebhookTarget = {}): string[] {
  const urls =
    target.urlOverride !== undefined && target.urlOverride !== ''
      ? [target.urlOverride]
      : [settings.webhookUrl, settings.webhookSecondaryUrl];
  return [...new Set(urls.filter((url): url is string => url !== undefined && url !== ''))];
}
