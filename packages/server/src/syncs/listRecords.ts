import { WorkerError } from '../errors';
import { requireIntegration } from '../operations/OperationContext';
import type { RecordAction, RecordScope } from '../store/RecordStore';
import { connectionsOf, type SyncOpsContext } from './syncTargets';
import { wireRecord, type WireRecord } from './wireRecord';

export type { WireRecord } from './wireRecord';

/** listRecords' request, checked by the route. */
export interface ListRecordsRequest {
  readonly integration: string;
  readonly userId: string;
  readonly model: string;
  readonly variant: string;
  readonly modifiedAfter?: number;
  readonly actions?: readonly RecordAction[];
  readonly cursor?: string;
  readonly ids?: readonly string[];
  readonly limit: number;
}

/**
 * One page of a Connection's records of a model, oldest change first.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, `invalid_request` (a model no sync declares, a
 *   cursor not ours), `storage_error`
 */
export async function listRecords(
  context: SyncOpsContext,
  request: ListRecordsRequest,
): Promise<{ records: WireRecord[]; next_cursor: string | null }> {
  const scope = await recordScope(context, request.integration, request.userId, request.model, request.variant);
  const page = await context.store.records.list(scope, {
    limit: request.limit,
    ...(request.cursor !== undefined && { cursor: request.cursor }),
    ...(request.modifiedAfter !== undefined && { modifiedAfter: request.modifiedAfter }),
    ...(request.actions !== undefined && { actions: request.actions }),
    ...(request.ids !== undefined && { ids: request.ids }),
  });
  return { records: page.records.map(wireRecord), next_cursor: page.nextCursor };
}

/**
 * The record scope of a Connection's model.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, `invalid_request` for a model no sync declares
 */
export async function recordScope(
  context: SyncOpsContext,
  integrationName: string,
  userId: string,
  model: string,
  variant: string,
): Promise<RecordScope> {
  const integration = requireIntegration(context.operations, integrationName);
  const declared = [...integration.syncs.values()].some((sync) => sync.models.has(model));
  if (!declared) {
    const models = [...new Set([...integration.syncs.values()].flatMap((sync) => [...sync.models.keys()]))];
    throw new WorkerError(
      'invalid_request',
      `model: '${model}' is not a model of any sync of integration '${integration.name}' (its models: ${models.join(', ') || 'none'})`,
    );
  }
  const [connection] = await connectionsOf(context, integration.name, userId);
  return { connection: (connection as { uuid: string }).uuid, model, variant };
}
