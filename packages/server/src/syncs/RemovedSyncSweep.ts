import { randomUUID } from 'node:crypto';
import type { IntegrationsConfig } from '../config/types';
import type { Logger } from '../logger';
import type { FunctionDeploymentStore, FunctionDeploymentSummary } from '../store/FunctionDeploymentStore';
import type { RecordStore } from '../store/RecordStore';
import type { SyncScheduleStore } from '../store/SyncScheduleStore';

/** Options of RemovedSyncSweep; every default is given here. */
export interface RemovedSyncSweepOptions {
  readonly deployments: Pick<FunctionDeploymentStore, 'list' | 'get' | 'claimRemovedSyncSweep'>;
  readonly records: Pick<RecordStore, 'deleteIntegrationModel'>;
  readonly schedules: Pick<SyncScheduleStore, 'deleteSync'>;
  /** The integrations as this process sees them (integrations.yaml's syncs and the deployed ones). */
  readonly integrations: () => IntegrationsConfig;
  /** How long after the deployment that dropped a sync its schedules and records are kept (NANGO_REMOVED_SYNC_GRACE_HOURS). */
  readonly graceMs: number;
  /** Time between two rounds. Default: 300000 ms */
  readonly intervalMs?: number;
  /** Records deleted per statement, each batch a short transaction of its own. Default: 1000 */
  readonly batchSize?: number;
  /** Pause between two batches, so the syncs writing records get the database in between. Default: 50 ms */
  readonly pauseMs?: number;
  /** How long one process holds the lease without renewing it (it renews it every batch). Default: 60000 ms */
  readonly leaseMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** A deployed sync the active deployment no longer has. */
interface Removed {
  readonly integration: string;
  readonly sync: string;
  /** The last deployment that had it, whose declaration gives its models. */
  readonly lastVersion: number;
  /** The deployment that dropped it: with the sync, names this removal (a sync dropped twice is swept twice). */
  readonly removedIn: number;
  readonly removedAt: number;
}

/**
 * Deletes what a deployed sync leaves once a deployment (or a rollback) drops it, as Nango's cleanup does: its
 * schedules, then its records, in bounded batches off the request path, by one process at a time (a lease in the
 * store). Only after the grace period, so a rollback within it keeps everything. Never a sync the integration still
 * has under that name (integrations.yaml's own sync, whose schedules share the name), nor a model another sync of
 * the integration still writes (records are kept by model, not by sync).
 */
export class RemovedSyncSweep {
  private readonly options: Required<Omit<RemovedSyncSweepOptions, 'logger'>>;
  private readonly owner = randomUUID();
  /** Removals this process swept to the end: not looked at again. */
  private readonly done = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<number> | undefined;
  private stopping = false;

  constructor(private readonly settings: RemovedSyncSweepOptions) {
    this.options = { intervalMs: 300_000, batchSize: 1_000, pauseMs: 50, leaseMs: 60_000, now: Date.now, ...settings };
  }

  /** Starts sweeping: a first round soon, then one every interval. */
  start(): void {
    this.stopping = false;
    this.plan(Math.min(10_000, this.options.intervalMs));
  }

  /** Stops: the round in progress ends after its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round?.catch(() => undefined);
  }

  /**
   * One round, if this process gets the lease: sweeps every removal past its grace period. Returns how many records
   * it deleted.
   * @throws WorkerError `storage_error`
   */
  async runOnce(): Promise<number> {
    if (!(await this.claim())) return 0;
    const { deployments } = this.options;
    const summaries = await deployments.list();
    const active = summaries[0];
    if (active === undefined) return 0;
    const activeDeployment = await deployments.get(active.version);
    let deleted = 0;
    for (const removed of this.removals(summaries)) {
      const count = await this.sweep(removed, activeDeployment?.functions ?? []);
      if (count === undefined) break;
      deleted += count;
    }
    return deleted;
  }

  /** The removals past their grace period not swept yet, from the history of deployments (newest first). */
  private removals(summaries: readonly FunctionDeploymentSummary[]): Removed[] {
    const key = (integration: string, name: string) => JSON.stringify([integration, name]);
    const active = summaries[0];
    const present = new Set(active?.functions.filter((f) => f.type === 'sync').map((f) => key(f.integration, f.name)));
    const removals: Removed[] = [];
    for (let index = 1; index < summaries.length; index += 1) {
      const summary = summaries[index];
      const next = summaries[index - 1];
      if (summary === undefined || next === undefined) continue;
      for (const f of summary.functions) {
        const name = key(f.integration, f.name);
        if (f.type !== 'sync' || present.has(name)) continue;
        // Newest first: the first older deployment that has it is the last one before it was dropped.
        present.add(name);
        const removed = {
          integration: f.integration,
          sync: f.name,
          lastVersion: summary.version,
          removedIn: next.version,
          removedAt: Date.parse(next.createdAt),
        };
        if (this.done.has(doneKey(removed))) continue;
        if (this.options.now() - removed.removedAt >= this.options.graceMs) removals.push(removed);
      }
    }
    return removals;
  }

  /**
   * Deletes one removed sync's schedules, then its models' records batch by batch. Returns how many records it
   * deleted, or undefined when it stopped before the end (a stop, or the lease lost): the next round goes on.
   */
  private async sweep(
    removed: Removed,
    activeFunctions: readonly { integration: string; type: string; models: readonly string[] }[],
  ): Promise<number | undefined> {
    const { integration, sync } = removed;
    const config = this.options.integrations().integrations.get(integration);
    if (config?.syncs.has(sync)) {
      // integrations.yaml's own sync of that name owns the schedules and records of that name: nothing is the removed
      // sync's alone. (Or the registry has not read the deployment yet: not marked done, so a later round looks again.)
      return 0;
    }
    const last = await this.options.deployments.get(removed.lastVersion);
    const declared = last?.functions.find((f) => f.type === 'sync' && f.integration === integration && f.name === sync);
    const kept = new Set([
      ...[...(config?.syncs.values() ?? [])].flatMap((other) => [...other.models.keys()]),
      ...activeFunctions.filter((f) => f.type === 'sync' && f.integration === integration).flatMap((f) => f.models),
    ]);
    const models = (declared?.models ?? []).filter((model) => !kept.has(model));
    const keptModels = (declared?.models ?? []).filter((model) => kept.has(model));
    // The schedules first: no run of the sync starts again while its records go.
    const schedules = await this.options.schedules.deleteSync(integration, sync);
    let deleted = 0;
    for (const model of models) {
      for (;;) {
        if (this.stopping) return undefined;
        const count = await this.options.records.deleteIntegrationModel(integration, model, this.options.batchSize);
        deleted += count;
        if (count < this.options.batchSize) break;
        await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
        // Another process may take over a lease that ran out during a long round: then this one stops.
        if (!(await this.claim())) return undefined;
      }
    }
    this.done.add(doneKey(removed));
    this.settings.logger?.info(
      { integration, sync, removedIn: removed.removedIn, schedules, records: deleted, keptModels },
      'removed sync: deleted its schedules and records',
    );
    return deleted;
  }

  private claim(): Promise<boolean> {
    const now = this.options.now();
    return this.options.deployments.claimRemovedSyncSweep(this.owner, now + this.options.leaseMs, now);
  }

  private plan(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce();
      this.round
        .catch((error: unknown) => this.settings.logger?.warn({ err: error }, 'removed syncs: sweep failed; will retry'))
        .finally(() => {
          this.round = undefined;
          this.plan(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}

function doneKey(removed: Removed): string {
  return JSON.stringify([removed.removedIn, removed.integration, removed.sync]);
}
