import { connectionNotFound, WorkerError } from '../errors';
import { type OperationContext } from './OperationContext';
import { recordChange } from './recordChange';
import { checkUserHostsKept, userHostConfigKeys } from './userHostFields';

/**
 * Sets the metadata (additionalConfig) of the Connections of `userIds` on `integration` to `change(current, userId)`,
 * all or none: if any user id has no Connection, or `change` throws for one, nothing changes. One `connection`
 * operation per Connection (`updated`, change `metadata`), each failed with the call's error when nothing changed.
 * `check` runs first, before the database is touched (a refusal of the request as a whole). A change that would move
 * a host the user typed (config/userHost.ts) is refused for its Connection, and so for all.
 * @throws WorkerError `connection_not_found` naming every missing user id, and what `check` or `change` throws
 */
export async function changeMetadata(
  context: OperationContext,
  integration: string,
  userIds: readonly string[],
  change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  check: () => void = () => undefined,
): Promise<undefined> {
  const startedAt = Date.now();
  const unique = [...new Set(userIds)];
  const declared = context.integrations().integrations.get(integration);
  const hostKeys = userHostConfigKeys(declared?.provider, declared);
  const kept = (current: Record<string, unknown>, userId: string): Record<string, unknown> => {
    const next = change(current, userId);
    checkUserHostsKept(hostKeys, current, next, (key) => `metadata.${key}`);
    return next;
  };
  let failure: unknown;
  try {
    check();
    failure = missingError(
      integration,
      await context.store.updateConfigs(integration, unique, hostKeys.size > 0 ? kept : change),
    );
  } catch (error) {
    failure = error;
  }
  for (const userId of unique) {
    const fields = { change: 'metadata' };
    recordChange(context.log, { integration, userId, name: 'updated', fields }, startedAt, failure);
  }
  if (failure !== undefined) throw failure;
  return undefined;
}

/** The error for the user ids that have no Connection; undefined when every one has. */
function missingError(integration: string, missing: readonly string[]): WorkerError | undefined {
  const [first] = missing;
  if (first === undefined) return undefined;
  if (missing.length === 1) return connectionNotFound(integration, first);
  const names = missing.map((userId) => `'${userId}'`).join(', ');
  return new WorkerError(
    'connection_not_found',
    `No Connection for users ${names} on integration '${integration}': nothing was changed; register them with registerConnection first`,
  );
}
