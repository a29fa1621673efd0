import { OPERATION_KINDS, OPERATION_STATUSES } from '../../../operationLog/Operation';
import { WorkerError } from '../../../errors';
import { isOperationId } from '../../../store/operationIds';
import type { OperationFilter } from '../../../store/OperationStore';
import { searchWords } from '../../../store/searchWords';

const TEXT = { type: 'string', minLength: 1, maxLength: 255 } as const;
const TIME = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** The filters of every logs route, as querystring properties (each described in docs/observability.md). */
export const FILTER_PROPERTIES = {
  from: TIME,
  to: TIME,
  kind: TEXT,
  status: TEXT,
  integration: TEXT,
  connectionId: TEXT,
  endUserId: TEXT,
  errorCode: { type: 'string', minLength: 1, maxLength: 128 },
  q: { type: 'string', minLength: 1, maxLength: 500 },
} as const;

/** The filters as they arrive. */
export interface FilterQuery {
  from?: string;
  to?: string;
  kind?: string;
  status?: string;
  integration?: string;
  connectionId?: string;
  endUserId?: string;
  errorCode?: string;
  q?: string;
}

/**
 * The store's filter from the query, every problem named with its parameter.
 * @throws WorkerError `invalid_request`
 */
export function operationFilter(query: FilterQuery): OperationFilter {
  const from = query.from === undefined ? undefined : time('from', query.from);
  const to = query.to === undefined ? undefined : time('to', query.to);
  if (from !== undefined && to !== undefined && from > to) {
    throw new WorkerError('invalid_request', `querystring/from (${query.from}) is after querystring/to (${query.to})`);
  }
  if (query.q !== undefined && searchWords(query.q).length === 0) {
    throw new WorkerError('invalid_request', 'querystring/q holds no word: search for letters or digits');
  }
  return {
    from,
    to,
    kinds: oneOf('kind', query.kind, OPERATION_KINDS),
    statuses: oneOf('status', query.status, OPERATION_STATUSES),
    integration: query.integration,
    connectionId: query.connectionId,
    endUserId: query.endUserId,
    errorCode: query.errorCode,
    text: query.q,
  };
}

/** A page cursor as handed out: the last operation's id, opaque to callers. */
export function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

/**
 * The operation id inside a cursor.
 * @throws WorkerError `invalid_request` naming `parameter`
 */
export function decodeCursor(parameter: string, cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!isOperationId(id)) {
    throw new WorkerError('invalid_request', `querystring/${parameter} is not a cursor this API gave: pass next_cursor as it is`);
  }
  return id;
}

/** The latest time an operation id can hold (48 bits of milliseconds: the year 10889). */
const LATEST = 2 ** 48 - 1;

/** ISO 8601 (`2026-01-31T12:00:00Z`, or a date) or epoch milliseconds, up to LATEST. */
function time(parameter: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > LATEST) {
    throw new WorkerError(
      'invalid_request',
      `querystring/${parameter} must be an ISO 8601 time (2026-01-31T12:00:00Z) or epoch milliseconds, got '${value}'`,
    );
  }
  return ms;
}

/** A comma-separated list whose every item is one of `allowed`. */
function oneOf(parameter: string, value: string | undefined, allowed: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item));
  if (items.length === 0 || unknown.length > 0) {
    throw new WorkerError(
      'invalid_request',
      `querystring/${parameter}: unknown ${parameter} '${unknown[0] ?? value}'; one or more (comma-separated) of ${allowed.join(', ')}`,
    );
  }
  return items;
}
