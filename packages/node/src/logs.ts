import type { HttpRequest } from './http';
import { NangoError } from './NangoError';
import { queryString, seg } from './requests';

/** What kind of thing an operation is (this server's operations log; not in the official SDK). */
export type OperationKind =
  'connect' | 'refresh' | 'revocation' | 'connection' | 'action' | 'sync' | 'proxy' | 'webhook' | 'event';

/** Where an operation is. */
export type OperationStatus = 'running' | 'success' | 'failed' | 'cancelled' | 'timed_out';

/** A time as `listOperations` takes it: a Date, an ISO 8601 string, or epoch milliseconds. */
export type TimeFilter = Date | string | number;

/** `listOperations` filters; every one given must match. */
export interface ListOperationsFilters {
  /** Started at or after. */
  from?: TimeFilter;
  /** Started at or before. */
  to?: TimeFilter;
  /** One kind, or any of several. */
  kind?: OperationKind | OperationKind[];
  /** One status, or any of several. */
  status?: OperationStatus | OperationStatus[];
  /** The integration (provider config key). */
  integration?: string;
  connectionId?: string;
  endUserId?: string;
  /** The error code an operation ended with. */
  errorCode?: string;
  /** Words that must all appear in one of the operation's messages, or in its name and error (`word*`: a prefix). */
  q?: string;
  /** Operations per page, 1 to 500. Default: 50 */
  limit?: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string | null;
}

/** One operation of the log. */
export interface Operation {
  /** Sortable: later operations have greater ids. */
  id: string;
  kind: OperationKind;
  /** The action or sync name, `GET /path` of a proxy call, the auth mode of a connect, … */
  name: string;
  integration: string | null;
  connection_id: string | null;
  end_user_id: string | null;
  status: OperationStatus;
  /** ISO 8601. */
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  error: { code: string; message: string } | null;
  /** The operation's own fields (HTTP status, retries, record counts, …). */
  fields: Record<string, string | number | boolean | null>;
  trace_id: string | null;
  parent_id: string | null;
}

/** One message of an operation: what its script logged, or what the server did for it. */
export interface OperationMessage {
  /** ISO 8601. */
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
  fields?: Record<string, string | number | boolean | null>;
}

/** A page of `listOperations`, newest first. */
export interface ListOperationsReply {
  operations: Operation[];
  /** Pass it as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

/** `getOperation` paging of the messages. */
export interface GetOperationOptions {
  /** Messages per page, 1 to 1000. Default: 100 */
  messagesLimit?: number;
  /** The `next_messages_cursor` of the previous call. */
  messagesCursor?: string | null;
}

/** One operation with a page of its messages, oldest first. */
export interface GetOperationReply {
  operation: Operation;
  messages: OperationMessage[];
  /** Pass it as `messagesCursor` for the next messages; null when there are no more. */
  next_messages_cursor: string | null;
}

/** `GET /logs/operations?…`, lists comma-separated, times as ISO strings (epoch ms as they are). */
export function listOperationsRequest(filters: ListOperationsFilters): HttpRequest {
  const list = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);
  const query = queryString([
    ['from', time('from', filters.from)],
    ['to', time('to', filters.to)],
    ['kind', list(filters.kind)],
    ['status', list(filters.status)],
    ['integration', filters.integration],
    ['connectionId', filters.connectionId],
    ['endUserId', filters.endUserId],
    ['errorCode', filters.errorCode],
    ['q', filters.q],
    ['limit', filters.limit],
    ['cursor', filters.cursor ?? undefined],
  ]);
  return { method: 'GET', path: `/logs/operations${query}` };
}

/**
 * `GET /logs/operations/:id?messagesLimit&messagesCursor`.
 * @throws NangoError `invalid_argument` without an id
 */
export function getOperationRequest(id: string, options: GetOperationOptions): HttpRequest {
  if (typeof id !== 'string' || id === '')
    throw new NangoError({ code: 'invalid_argument', message: 'getOperation needs an operation id' });
  const query = queryString([
    ['messagesLimit', options.messagesLimit],
    ['messagesCursor', options.messagesCursor ?? undefined],
  ]);
  return { method: 'GET', path: `/logs/operations/${seg(id)}${query}` };
}

/** @throws NangoError `invalid_argument` for an invalid Date */
function time(name: string, value: TimeFilter | undefined): string | number | undefined {
  if (value === undefined || typeof value === 'string' || typeof value === 'number') return value;
  if (Number.isNaN(value.getTime())) throw new NangoError({ code: 'invalid_argument', message: `${name} is an invalid Date` });
  return value.toISOString();
}
