import { randomUUID } from 'node:crypto';
import { WorkerError } from '../errors';
import type { Logger } from '../logger';
import type { OperationContext } from '../operations/OperationContext';
import { freshConnection } from '../operations/freshConnection';
import type { WebhookHandlerCall, WebhookHandlers } from '../operations/routeProviderWebhook';
import type { SyncConfig } from '../config/types';
import type { Webhooks } from '../webhooks/Webhooks';
import type { SyncExecutor } from './SyncExecutor';
import { syncWebhooks, type SyncWebhookSwitches } from './syncWebhooks';
import { countFields } from './syncOperationFields';

/** What the handlers need beside the operations every door uses. */
export interface SyncWebhookHandlersOptions {
  readonly context: OperationContext;
  /** The same executor scheduled runs use: the handler's batchSave goes to the Connection's records. */
  readonly executor: SyncExecutor;
  readonly webhooks: Webhooks;
  readonly switches: SyncWebhookSwitches;
  readonly logger: Logger;
}

/** Whether a sync's subscriptions take a webhook of `type` (`*` takes every one, a type-less webhook only `*`). */
export function subscribes(sync: SyncConfig, type: string | undefined): boolean {
  const subscriptions = sync.webhookSubscriptions ?? [];
  return subscriptions.includes('*') || (type !== undefined && subscriptions.includes(type));
}

/**
 * Runs the webhook handlers of deployed syncs (`createSync({ webhookSubscriptions, onWebhook })`): for one Connection
 * a provider webhook was routed to, every sync of its integration subscribed to the webhook's type runs its `onWebhook`
 * with the payload, in the sandbox and with the records, limits and credentials of a scheduled run (variant `base`).
 * Each handler run is a `sync` operation (field `trigger: 'webhook'`) pointing at the routing; its records changes
 * send the `sync` webhooks as Nango's do, `syncType: 'WEBHOOK'`. A checkpoint a handler saves is not kept: checkpoints
 * belong to the scheduled runs. A failing handler is recorded and does not stop the others.
 */
export class SyncWebhookHandlers implements WebhookHandlers {
  constructor(private readonly options: SyncWebhookHandlersOptions) {}

  async run(call: WebhookHandlerCall): Promise<string[]> {
    const subscribed = [...call.integration.syncs.values()].filter((sync) => subscribes(sync, call.type));
    const ran: string[] = [];
    for (const sync of subscribed) {
      await this.runOne(call, sync);
      ran.push(sync.name);
    }
    return ran;
  }

  private async runOne(call: WebhookHandlerCall, sync: SyncConfig): Promise<void> {
    const { context, executor, logger } = this.options;
    const integration = call.integration.name;
    const operation = context.log.start({
      kind: 'sync',
      name: sync.name,
      integration,
      connectionId: call.userId,
      parentId: call.parentId,
      fields: { variant: 'base', trigger: 'webhook', ...(call.type !== undefined && { webhookType: call.type.slice(0, 128) }) },
    });
    const startedAt = Date.now();
    try {
      const { connection } = await freshConnection(context, integration, call.userId, false, operation.id);
      const signal = AbortSignal.timeout(sync.timeoutMs);
      const job = {
        runId: randomUUID(),
        integration,
        sync: sync.name,
        variant: 'base',
        connection,
        checkpoint: null,
        full: false,
        lastSyncDate: null,
        webhook: { payload: call.payload },
      };
      const result = await executor.run(job, { signal, operation, saveCheckpoint: () => Promise.resolve() });
      operation.set(countFields(result.models));
      operation.end('success');
      await this.notify(call, sync, startedAt, result.models);
    } catch (error) {
      const failure =
        error instanceof WorkerError ? error : new WorkerError('internal_error', 'The webhook handler failed inside the worker');
      if (!(error instanceof WorkerError)) logger.error({ err: error, integration, sync: sync.name }, 'webhook handler failed');
      operation.end(failure.code === 'action_timeout' ? 'timed_out' : 'failed', { code: failure.code, message: failure.message });
    }
  }

  /** The `sync` webhooks of a handler's run, per model that changed, marked WEBHOOK. */
  private async notify(
    call: WebhookHandlerCall,
    sync: SyncConfig,
    startedAt: number,
    results: Parameters<typeof syncWebhooks>[0]['results'],
  ): Promise<void> {
    const report = {
      integration: call.integration.name,
      userId: call.userId,
      sync: sync.name,
      variant: 'base',
      models: [...sync.models.keys()],
      full: false,
      startedAt,
      finishedAt: Date.now(),
      ...(results && { results }),
    };
    for (const body of syncWebhooks(report, this.options.switches)) {
      await this.options.webhooks.enqueue({ ...body, syncType: 'WEBHOOK' }).catch((error: unknown) => {
        this.options.logger.error({ err: error, model: body.model }, 'could not store a sync webhook');
      });
    }
  }
}
