import type { IntegrationConfig, SyncConfig } from '../config/types';
import { connectionNotFound, WorkerError } from '../errors';
import { requireIntegration, type OperationContext } from '../operations/OperationContext';
import type { Store } from '../store/Store';
import type { ScheduleKey, ScheduleStatus, SyncSchedule } from '../store/SyncScheduleStore';

/** What the sync operations use: the operations' view of integrations and Connections, and the store. */
export interface SyncOpsContext {
  readonly operations: OperationContext;
  readonly store: Store;
}

/** A sync as the API names it: its name alone (variant `base`), or with a variant. */
export type SyncRef = string | { name: string; variant?: string };

/** The variant every sync has. */
export const BASE_VARIANT = 'base';

/** What an operation targets: an integration, some syncs of it (all when none given), one Connection or all. */
export interface SyncSelection {
  readonly integration: string;
  readonly syncs: readonly SyncRef[];
  /** The Connection's user id; all Connections of the integration when absent. */
  readonly userId?: string;
}

/** One sync (with its variant) of one Connection. */
export interface SyncTarget {
  readonly key: ScheduleKey;
  readonly sync: SyncConfig;
  readonly userId: string;
}

/**
 * The syncs a selection names, each declared.
 * @throws WorkerError `unknown_integration`, `unknown_sync`
 */
export function selectSyncs(
  context: SyncOpsContext,
  integrationName: string,
  refs: readonly SyncRef[],
): { integration: IntegrationConfig; syncs: Array<{ sync: SyncConfig; variant: string }> } {
  const integration = requireIntegration(context.operations, integrationName);
  if (refs.length === 0) {
    return { integration, syncs: [...integration.syncs.values()].map((sync) => ({ sync, variant: BASE_VARIANT })) };
  }
  const syncs = refs.map((ref) => {
    const name = typeof ref === 'string' ? ref : ref.name;
    const variant = (typeof ref === 'string' ? undefined : ref.variant) ?? BASE_VARIANT;
    const sync = integration.syncs.get(name);
    if (!sync) throw unknownSync(integration, name);
    return { sync, variant };
  });
  return { integration, syncs };
}

/** The error for a sync the integration does not declare, naming those it does. */
export function unknownSync(integration: IntegrationConfig, name: string): WorkerError {
  const known = [...integration.syncs.keys()].join(', ') || 'none';
  return new WorkerError(
    'unknown_sync',
    `Unknown sync '${name}' of integration '${integration.name}': its syncs (declared or deployed) are ${known}`,
  );
}

/**
 * Every (sync, variant, Connection) a selection names.
 * @throws WorkerError `unknown_integration`, `unknown_sync`, `connection_not_found`
 */
export async function selectTargets(context: SyncOpsContext, selection: SyncSelection): Promise<SyncTarget[]> {
  const { integration, syncs } = selectSyncs(context, selection.integration, selection.syncs);
  const connections = await connectionsOf(context, integration.name, selection.userId);
  return connections.flatMap((connection) =>
    syncs.map(({ sync, variant }) => ({
      key: { integration: integration.name, sync: sync.name, variant, connection: connection.uuid },
      sync,
      userId: connection.userId,
    })),
  );
}

/**
 * The schedules of the targets: base ones made where missing (with `status`, or by the sync's `auto_start` when
 * undefined). A variant is made only by createSyncVariant, never here (a typo in a trigger would make a schedule that
 * runs for ever): targets without it are left out, and a variant no target has is an error.
 * @throws WorkerError `unknown_sync` for a variant none of the targeted Connections has
 */
export async function ensureSchedules(
  context: SyncOpsContext,
  targets: readonly SyncTarget[],
  status?: ScheduleStatus,
): Promise<SyncSchedule[]> {
  const schedules: SyncSchedule[] = [];
  const variants = new Map<string, { target: SyncTarget; targets: number; found: number }>();
  for (const target of targets) {
    if (target.key.variant === BASE_VARIANT) {
      const initial = status ?? (target.sync.autoStart ? 'running' : 'paused');
      schedules.push(await context.store.syncSchedules.ensure(target.key, initial));
      continue;
    }
    const name = `${target.key.sync}::${target.key.variant}`;
    const seen = variants.get(name) ?? { target, targets: 0, found: 0 };
    variants.set(name, seen);
    seen.targets += 1;
    const schedule = await context.store.syncSchedules.get(target.key);
    if (schedule) {
      schedules.push(schedule);
      seen.found += 1;
    }
  }
  for (const { target, targets: count, found } of variants.values()) {
    if (found > 0) continue;
    const { integration, sync, variant } = target.key;
    const whose = count === 1 ? `Connection '${target.userId}'` : 'any of its Connections';
    throw new WorkerError(
      'unknown_sync',
      `Sync '${sync}' of integration '${integration}' has no variant '${variant}' for ${whose}: make it with createSyncVariant (POST /sync/${sync}/variant/${variant})`,
    );
  }
  return schedules;
}

/**
 * The Connection's uuid and user id, or every Connection of the integration.
 * @throws WorkerError `connection_not_found`
 */
export async function connectionsOf(
  context: SyncOpsContext,
  integration: string,
  userId: string | undefined,
): Promise<Array<{ uuid: string; userId: string }>> {
  if (userId === undefined) return context.operations.store.listByIntegration(integration);
  const connection = await context.operations.store.get(integration, userId);
  if (!connection) throw connectionNotFound(integration, userId);
  return [{ uuid: connection.uuid, userId: connection.userId }];
}
