import { connectionNotFound, WorkerError } from '../errors';
import { type OperationContext } from './OperationContext';

/**
 * Sets the metadata (additionalConfig) of the Connections of `userIds` on `integration` to `change(current)`, all
 * or none: if any user id has no Connection, nothing changes.
 * @throws WorkerError `connection_not_found` naming every missing user id
 */
export async function changeMetadata(
  context: OperationContext,
  integration: string,
  userIds: readonly string[],
  change: (current: Record<string, unknown>) => Record<string, unknown>,
): Promise<undefined> {
  const missing = await context.store.updateConfigs(integration, [...new Set(userIds)], change);
  const [first] = missing;
  if (first === undefined) return undefined;
  if (missing.length === 1) throw connectionNotFound(integration, first);
  const names = missing.map((userId) => `'${userId}'`).join(', ');
  throw new WorkerError(
    'connection_not_found',
    `No Connection for users ${names} on integration '${integration}': nothing was changed; register them with registerConnection first`,
  );
}
