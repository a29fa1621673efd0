import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { OperationLog } from '../operationLog/OperationLog';
import type { WebhookStore } from '../store/WebhookStore';
import { stableJson } from './stableJson';
import { WebhookDeliverer, hostOf } from './WebhookDeliverer';
import { isSwitchedOn, targetUrls, type WebhookSettings } from './webhookSettings';
import type { WebhookBody, WebhookTarget, Webhooks } from './Webhooks';

/**
 * The Webhooks every sender uses, on the store's outbox: `enqueue` stores one delivery per URL (switched-off kinds
 * and a server with no URL store nothing) and resolves once they are stored; the deliverer of this process (or of
 * any other sharing the database) sends them.
 */
export class WebhookOutbox implements Webhooks {
  readonly environment: string;
  private readonly deliverer: WebhookDeliverer;

  constructor(
    private readonly store: WebhookStore,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
    /** `log`: where delivery attempts are recorded as `webhook` operations (none by default). */
    options: { pollMs?: number; log?: OperationLog } = {},
  ) {
    this.environment = settings.environment;
    const { log, ...delivery } = options;
    this.deliverer = new WebhookDeliverer(
      store,
      {
        signingKey: settings.webhookSigningKey,
        timeoutMs: settings.webhookTimeoutMs,
        retryBaseMs: settings.webhookRetryBaseMs,
        maxAttempts: settings.webhookMaxAttempts,
        ...delivery,
      },
      logger,
      log,
    );
  }

  /** @throws WorkerError `storage_error` when the deliveries could not be stored (logged here too) */
  async enqueue(body: WebhookBody, target?: WebhookTarget): Promise<void> {
    if (!isSwitchedOn(body, this.settings)) return;
    const urls = targetUrls(this.settings, target);
    if (urls.length === 0) return;
    const text = stableJson(body);
    const deliveries = urls.map((url) => ({ id: randomUUID(), url, type: body.type, body: text }));
    try {
      await this.store.add(deliveries);
    } catch (error) {
      this.logger.error(
        { type: body.type, hosts: urls.map(hostOf), err: (error as Error).message },
        'webhook not stored: it will not be sent',
      );
      throw error;
    }
    this.deliverer.poke();
  }

  /** Starts delivering; warns once when webhooks are configured without a signing key (they go unsigned). */
  start(): void {
    const configured = targetUrls(this.settings).length > 0;
    if (configured && this.settings.webhookSigningKey === undefined) {
      this.logger.warn(
        'NANGO_WEBHOOK_URL is set but neither NANGO_WEBHOOK_SIGNING_KEY nor NANGO_SECRET_KEY: webhooks are sent unsigned, and receivers cannot verify them',
      );
    }
    this.deliverer.start();
  }

  /** Stops delivering; what was in flight is handed back to the outbox. */
  stop(): Promise<void> {
    return this.deliverer.stop();
  }
}
