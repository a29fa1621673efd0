import { NangoSync } from './NangoSync';
import { SyncRuntime, type SyncFunctionDefinition } from './syncRuntime';

/** The input of a run of a deployed sync's webhook handler (see syncFromFunction). */
export interface SyncWebhookInput {
  readonly webhook: unknown;
}

/** A deployed sync as the sandbox runs it: a NangoSync whose run may carry a webhook's payload. */
export type DeployedSyncInstance = NangoSync & { executeAction(input?: unknown): Promise<void> };

/**
 * Turns the exports of a deployed sync's bundle (compiled by the official `nango` CLI from `createSync`) into a
 * NangoSync class the worker schedules and runs like its own: `exec` gets a SyncRuntime whose batchSave and
 * checkpoints go to the worker. A run whose input is `{ webhook: payload }` runs the function's `onWebhook` with that
 * payload instead (the way to run a deployed sync's webhook handler for a Connection).
 * @param name `integration.function`, for messages
 * @throws Error when the bundle exports no sync definition (the worker reports it as `action_load_failed`)
 */
export function syncFromFunction(exports: unknown, name: string): { default: new () => DeployedSyncInstance } {
  const module = exports as Record<string, unknown> | null;
  // Our own format, deployed by our CLI (`nango deploy` of packages/cli): the bundle already exports the class.
  const ownClass = ownSyncClass(module);
  if (ownClass) return { default: ownClass };
  const definition = (legacySync(module) ?? module?.['default'] ?? module) as Partial<SyncFunctionDefinition> | null;
  if (typeof definition?.exec !== 'function') {
    throw new Error(`${name}: the deployed bundle's default export is not a function made by createSync (no exec)`);
  }
  const sync = definition as SyncFunctionDefinition;
  class DeployedSync extends NangoSync {
    override async fetchData(): Promise<void> {
      await sync.exec(new SyncRuntime(this, sync, name));
    }

    override async executeAction(input?: unknown): Promise<void> {
      if (!isWebhookInput(input)) return this.fetchData();
      if (typeof sync.onWebhook !== 'function') throw new Error(`${name}: the sync has no onWebhook handler`);
      await sync.onWebhook(new SyncRuntime(this, sync, name), input.webhook);
    }
  }
  return { default: DeployedSync };
}

function isWebhookInput(input: unknown): input is SyncWebhookInput {
  return typeof input === 'object' && input !== null && Object.prototype.hasOwnProperty.call(input, 'webhook');
}

/**
 * Nango's older format (`nango.yaml` beside scripts whose default export is `async function fetchData(nango)`, and
 * whose webhook handler is the named export `onWebhookPayloadReceived(nango, payload)`), as a bundle compiled by an
 * older CLI holds it: the functions become the definition's exec and onWebhook, with no zod models.
 */
function legacySync(module: Record<string, unknown> | null): Partial<SyncFunctionDefinition> | undefined {
  const exported = module?.['default'] ?? module;
  if (typeof exported !== 'function' || exported.prototype instanceof NangoSync) return undefined;
  const onWebhook = module?.['onWebhookPayloadReceived'];
  return {
    exec: exported as SyncFunctionDefinition['exec'],
    ...(typeof onWebhook === 'function' && { onWebhook: onWebhook as SyncFunctionDefinition['onWebhook'] }),
  };
}

/** The one class extending NangoSync a bundle exports (default or named), if it exports exactly one. */
function ownSyncClass(module: Record<string, unknown> | null): (new () => DeployedSyncInstance) | undefined {
  if (module === null || typeof module !== 'object') return undefined;
  const classes = [...new Set([module['default'], ...Object.values(module)])].filter(
    (value): value is new () => DeployedSyncInstance =>
      typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof NangoSync,
  );
  return classes.length === 1 ? classes[0] : undefined;
}
