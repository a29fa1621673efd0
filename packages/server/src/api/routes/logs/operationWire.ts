import type { ListedMessage, StoredFields, StoredOperation } from '../../../store/OperationStore';

/** One operation as the logs routes send it (docs/observability.md): snake_case, times as ISO strings. */
export interface OperationWire {
  id: string;
  kind: string;
  name: string;
  integration: string | null;
  connection_id: string | null;
  end_user_id: string | null;
  status: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  error: { code: string; message: string } | null;
  fields: StoredFields;
  trace_id: string | null;
  parent_id: string | null;
}

/** One message of an operation on the wire. */
export interface MessageWire {
  at: string;
  level: string;
  text: string;
  fields?: StoredFields;
}

export function operationWire(operation: StoredOperation): OperationWire {
  return {
    id: operation.id,
    kind: operation.kind,
    name: operation.name,
    integration: operation.integration,
    connection_id: operation.connectionId,
    end_user_id: operation.endUserId,
    status: operation.status,
    started_at: new Date(operation.startedAt).toISOString(),
    ended_at: operation.endedAt === null ? null : new Date(operation.endedAt).toISOString(),
    duration_ms: operation.durationMs,
    error: operation.error,
    fields: operation.fields,
    trace_id: operation.traceId,
    parent_id: operation.parentId,
  };
}

export function messageWire(message: ListedMessage): MessageWire {
  return {
    at: new Date(message.at).toISOString(),
    level: message.level,
    text: message.text,
    ...(message.fields !== undefined && { fields: message.fields }),
  };
}
