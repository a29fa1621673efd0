import { ensureSchedules, selectTargets, type SyncOpsContext, type SyncSelection } from './syncTargets';

/** triggerSync's options: a reset makes the next run full with no checkpoint; emptyCache (with reset) clears the records. */
export interface TriggerOptions {
  readonly reset: boolean;
  readonly emptyCache: boolean;
}

/**
 * Makes the selected syncs run now (a paused one too, once). With `reset`, the run starts over: no checkpoint, a
 * full run; with `emptyCache` as well, the records of those syncs' models for those Connections are deleted now.
 * Returns how many schedules it triggered.
 * @throws WorkerError `unknown_integration`, `unknown_sync`, `connection_not_found`, `storage_error`
 */
export async function triggerSync(context: SyncOpsContext, selection: SyncSelection, options: TriggerOptions): Promise<number> {
  const targets = await selectTargets(context, selection);
  const schedules = await ensureSchedules(context, targets);
  if (options.reset && options.emptyCache) {
    for (const target of targets) {
      for (const model of target.sync.models.keys()) {
        await context.store.records.clear({ connection: target.key.connection, model, variant: target.key.variant });
      }
    }
  }
  return context.store.syncSchedules.trigger(
    schedules.map((schedule) => schedule.id),
    options.reset,
  );
}
