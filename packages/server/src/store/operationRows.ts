import type { ListedMessage, StoredFields, StoredMessage, StoredOperation } from './OperationStore';

/** The columns of `operations` a read selects, in OperationRow's order. */
export const OPERATION_COLUMNS =
  'id, kind, name, integration, connection_id, end_user_id, status, started_at, ended_at, duration_ms, error_code, ' +
  'error_message, fields, trace_id, parent_id';

/** One row of `operations` as both databases return it. */
export interface OperationRow {
  id: string;
  kind: string;
  name: string;
  integration: string | null;
  connection_id: string | null;
  end_user_id: string | null;
  status: string;
  started_at: number;
  ended_at: number | null;
  duration_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  fields: string;
  trace_id: string | null;
  parent_id: string | null;
}

/** One row of `operation_messages`. */
export interface MessageRow {
  seq: number;
  operation_id: string;
  at: number;
  level: string;
  text: string;
  fields: string | null;
}

/** The values of an operation in OPERATION_COLUMNS' order, for an insert. */
export function operationValues(operation: StoredOperation): unknown[] {
  return [
    operation.id,
    operation.kind,
    operation.name,
    operation.integration,
    operation.connectionId,
    operation.endUserId,
    operation.status,
    operation.startedAt,
    operation.endedAt,
    operation.durationMs,
    operation.error?.code ?? null,
    operation.error?.message ?? null,
    JSON.stringify(operation.fields),
    operation.traceId,
    operation.parentId,
  ];
}

/**
 * Ends an insert of operations, as both databases take it: an operation written before gets what may have changed of
 * it (its start never changes).
 */
export const ON_OPERATION_CONFLICT = `ON CONFLICT (id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at,
    duration_ms = excluded.duration_ms, error_code = excluded.error_code, error_message = excluded.error_message,
    fields = excluded.fields, trace_id = excluded.trace_id`;

export function operationFromRow(row: OperationRow): StoredOperation {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    integration: row.integration,
    connectionId: row.connection_id,
    endUserId: row.end_user_id,
    status: row.status,
    startedAt: Number(row.started_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    fields: parseFields(row.fields) ?? {},
    traceId: row.trace_id,
    parentId: row.parent_id,
  };
}

export function messageFromRow(row: MessageRow): ListedMessage {
  const fields = row.fields === null ? undefined : parseFields(row.fields);
  return {
    operationId: row.operation_id,
    at: Number(row.at),
    level: row.level,
    text: row.text,
    ...(fields !== undefined && { fields }),
    cursor: String(row.seq),
  };
}

/** A message's fields column: JSON, or null when it has none. */
export function messageFields(message: StoredMessage): string | null {
  return message.fields === undefined || Object.keys(message.fields).length === 0 ? null : JSON.stringify(message.fields);
}

/** The text an operation's own index entry holds: what people search an operation by besides its messages. */
export function operationSearchText(operation: StoredOperation): string {
  return [operation.name, operation.error?.code, operation.error?.message].filter(Boolean).join(' ');
}

/** Fields as stored; a row written by hand that is not a JSON object reads as none. */
function parseFields(json: string): StoredFields | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as StoredFields) : undefined;
  } catch {
    return undefined;
  }
}
