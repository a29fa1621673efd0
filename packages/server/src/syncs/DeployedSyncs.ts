import { join } from 'node:path';
import { DEPLOYED_MEMORY_MB, DEPLOYED_ROOT, wrapBundle } from '../actions/DeployedFunctions';
import type { ActionLoader } from '../actions/ActionLoader';
import { DEFAULTS } from '../config/loadIntegrationsConfig';
import { parseFrequency } from '../config/frequency';
import type { IntegrationConfig, IntegrationsConfig, ModelConfig, SyncConfig } from '../config/types';
import type { IntegrationsOverlay } from '../integrations/IntegrationRegistry';
import type { DeployedFunction, FunctionDeploymentStore } from '../store/FunctionDeploymentStore';

/** Where deployed syncs seem to live, apart from deployed actions (whose folder DeployedFunctions forgets alone). */
const SYNCS_ROOT = join(DEPLOYED_ROOT, 'syncs');

/** The deployed syncs of one deployment, by integration then name, as SyncConfig. */
type SyncsByIntegration = ReadonlyMap<string, ReadonlyMap<string, SyncConfig>>;

/**
 * The syncs the official `nango deploy` stored, added to the integrations every part of the worker reads, so the
 * scheduler, the runs, the records and the sync routes treat them as integrations.yaml's. Each becomes a SyncConfig
 * whose file exists only in the ActionLoader's cache: the CLI's bundle wrapped with `@nangohq/action`'s
 * syncFromFunction. refresh() reads the active version (one small query) on the registry's tick and right after a
 * deployment in this process; a new version swaps the whole set at once, and a run in flight keeps the code it
 * loaded (the previous version's files are kept until the next change). An integration's own sync wins over a
 * deployed one of the same name, as its own action does.
 */
export class DeployedSyncs implements IntegrationsOverlay {
  private version = 0;
  private syncs: SyncsByIntegration = new Map();
  private applied: { base: IntegrationsConfig; version: number; result: IntegrationsConfig } | undefined;
  /** The version before the active one, whose files runs that started on it may still load. */
  private kept: number | undefined;
  /** Refreshes run one after another (the registry's tick and a deployment's may meet). */
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: FunctionDeploymentStore,
    private readonly loader: ActionLoader,
  ) {}

  /** Reads the active deployment; when it changed, builds its syncs. @throws WorkerError `storage_error` */
  refresh(): Promise<void> {
    const next = this.reading.then(() => this.read());
    this.reading = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<void> {
    const version = await this.store.activeVersion();
    if (version === this.version) return;
    const deployment = version === 0 ? undefined : await this.store.get(version);
    const syncs = new Map<string, Map<string, SyncConfig>>();
    for (const deployed of deployment?.functions ?? []) {
      if (deployed.type !== 'sync') continue;
      const byName = syncs.get(deployed.integration) ?? new Map<string, SyncConfig>();
      byName.set(deployed.name, this.syncConfig(version, deployed));
      syncs.set(deployed.integration, byName);
    }
    if (this.kept !== undefined) this.loader.forgetUnder(join(SYNCS_ROOT, `v${this.kept}`) + '/');
    this.kept = this.version === 0 ? undefined : this.version;
    this.version = version;
    this.syncs = syncs;
  }

  /** `base` with each integration's deployed syncs added; the same object back while neither changed. */
  apply(base: IntegrationsConfig): IntegrationsConfig {
    if (this.syncs.size === 0) return base;
    const applied = this.applied;
    if (applied?.base === base && applied.version === this.version) return applied.result;
    const integrations = new Map<string, IntegrationConfig>();
    for (const [key, integration] of base.integrations) {
      const deployed = this.syncs.get(key);
      if (!deployed) {
        integrations.set(key, integration);
        continue;
      }
      // The integration's own syncs go last: same name, theirs wins.
      const syncs = new Map([...deployed, ...integration.syncs]);
      integrations.set(key, Object.freeze({ ...integration, syncs }));
    }
    const result: IntegrationsConfig = { ...base, integrations };
    this.applied = { base, version: this.version, result };
    return result;
  }

  /** A deployed sync as integrations.yaml would declare it, its wrapped bundle given to the loader. */
  private syncConfig(version: number, deployed: DeployedFunction): SyncConfig {
    const file = join(SYNCS_ROOT, `v${version}`, deployed.integration, `${deployed.name}.cjs`);
    const shown = `deployed sync ${deployed.integration}/${deployed.name} (deployment ${version})`;
    this.loader.provide(file, shown, wrapBundle('sync', deployed.js, `${deployed.integration}.${deployed.name}`));
    const frequency = parseFrequency(deployed.runs ?? '');
    // The whole set of the function's models as definitions: a model's `$ref` to another one resolves.
    const definitions = deployed.modelSchemas;
    const models = new Map<string, ModelConfig>(
      deployed.models.map((name) => {
        const schema = deployed.modelSchemas[name];
        return [name, Object.freeze({ name, schema: schema && { definitions, ...schema } })];
      }),
    );
    return Object.freeze({
      name: deployed.name,
      file,
      models,
      // Checked when deployed; a deployment stored before that check ran keeps the default.
      frequencyMs: 'ms' in frequency ? frequency.ms : DEFAULTS.syncFrequencyMs,
      autoStart: deployed.autoStart,
      syncType: deployed.syncType ?? 'incremental',
      trackDeletes: deployed.trackDeletes ?? false,
      timeoutMs: DEFAULTS.syncTimeoutMs,
      memoryMb: DEPLOYED_MEMORY_MB,
      encryptRecords: true,
      ...(deployed.webhookSubscriptions?.length && { webhookSubscriptions: deployed.webhookSubscriptions }),
    });
  }
}
