import type { OperationFields } from '../operationLog/Operation';
import type { OperationLog } from '../operationLog/OperationLog';
import { failureOf } from '../operationLog/failureOf';

/** One change to one Connection, as its `connection` operation names it. */
export interface ConnectionChange {
  readonly integration: string;
  readonly userId: string;
  /** `created`, `updated` or `deleted`. */
  readonly name: 'created' | 'updated' | 'deleted';
  /** What changed (`change`: credentials, config, metadata, attributes) and how (`authMode`, `override`). */
  readonly fields: OperationFields;
  readonly endUserId?: string | undefined;
  /** The operation the change was part of (a connect flow). */
  readonly parentId?: string | undefined;
}

/**
 * Records a change to a Connection once it is over, as one `connection` operation that started at `startedAt`: a
 * success, or the failure `error` describes (see failureOf). Recording after the fact lets the outcome name it (an
 * upsert is a creation or an update). Returns the operation's id ('' when the log records nothing).
 */
export function recordChange(log: OperationLog, change: ConnectionChange, startedAt: number, error?: unknown): string {
  const operation = log.start({
    kind: 'connection',
    name: change.name,
    integration: change.integration,
    connectionId: change.userId,
    endUserId: change.endUserId,
    fields: change.fields,
    parentId: change.parentId,
    startedAt,
  });
  if (error === undefined) {
    operation.end('success');
  } else {
    const failure = failureOf(error);
    operation.end(failure.status, failure.error);
  }
  return operation.id;
}

/**
 * Runs one change to a Connection and records it as its `connection` operation, a success or the failure it threw
 * (rethrown as it is), timed from the call.
 */
export async function recordingChange<T>(log: OperationLog, change: ConnectionChange, run: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  let result: T;
  try {
    result = await run();
  } catch (error) {
    recordChange(log, change, startedAt, error);
    throw error;
  }
  recordChange(log, change, startedAt);
  return result;
}
