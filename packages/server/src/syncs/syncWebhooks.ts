import type { SyncWebhookBody } from '../webhooks/Webhooks';
import type { ModelResult } from '../store/SyncScheduleStore';

/** What a finished run tells its webhooks. */
export interface RunReport {
  readonly integration: string;
  /** The Connection's user id. */
  readonly userId: string;
  readonly sync: string;
  readonly variant: string;
  /** Every model the sync declares. */
  readonly models: readonly string[];
  readonly full: boolean;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Per model on success; absent on failure. */
  readonly results?: Record<string, ModelResult>;
  readonly error?: { type: string; description: string };
}

/** The two switches of contract E.2 (NANGO_WEBHOOK_ON_SYNC_COMPLETION_ALWAYS, NANGO_WEBHOOK_ON_SYNC_ERROR). */
export interface SyncWebhookSwitches {
  readonly webhookOnSyncCompletionAlways: boolean;
  readonly webhookOnSyncError: boolean;
}

/**
 * The `sync` webhooks of one run, one per model (contract E.2), as the switches allow: a success per model that
 * changed something (every model with `webhookOnSyncCompletionAlways`), a failure per model only with
 * `webhookOnSyncError`. `modifiedAfter` is when the run started: a reader passing it to listRecords sees what
 * the run changed.
 */
export function syncWebhooks(report: RunReport, switches: SyncWebhookSwitches): SyncWebhookBody[] {
  const base = {
    from: 'nango' as const,
    type: 'sync' as const,
    connectionId: report.userId,
    providerConfigKey: report.integration,
    syncName: report.sync,
    syncVariant: report.variant,
    syncType: report.full ? ('INITIAL' as const) : ('INCREMENTAL' as const),
  };
  if (report.error) {
    if (!switches.webhookOnSyncError) return [];
    return report.models.map((model) => ({
      ...base,
      model,
      success: false,
      error: report.error as { type: string; description: string },
      startedAt: new Date(report.startedAt).toISOString(),
      failedAt: new Date(report.finishedAt).toISOString(),
    }));
  }
  const modifiedAfter = new Date(report.startedAt).toISOString();
  return report.models.flatMap((model) => {
    const result = report.results?.[model] ?? { added: 0, updated: 0, deleted: 0 };
    const changed = result.added + result.updated + result.deleted > 0;
    if (!changed && !switches.webhookOnSyncCompletionAlways) return [];
    const responseResults = { added: result.added, updated: result.updated, deleted: result.deleted };
    return [{ ...base, model, success: true, responseResults, modifiedAfter, queryTimeStamp: modifiedAfter }];
  });
}
