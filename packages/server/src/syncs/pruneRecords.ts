import { recordScope } from './listRecords';
import type { SyncOpsContext } from './syncTargets';

/**
 * Drops the payloads of a Connection's records of a model up to `untilCursor` (included), at most `limit`, keeping
 * their metadata (listRecords shows them with `pruned_at`).
 * @throws WorkerError `unknown_integration`, `connection_not_found`, `invalid_request`, `storage_error`
 */
export async function pruneRecords(
  context: SyncOpsContext,
  request: { integration: string; userId: string; model: string; variant: string; untilCursor: string; limit: number },
): Promise<{ count: number; has_more: boolean }> {
  const scope = await recordScope(context, request.integration, request.userId, request.model, request.variant);
  const { count, hasMore } = await context.store.records.prune(scope, request.untilCursor, request.limit);
  return { count, has_more: hasMore };
}
