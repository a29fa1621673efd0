import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { RecordAction } from '../../../store/RecordStore';
import { MAX_RECORD_PAGE } from '../../../store/RecordStore';
import { listRecords } from '../../../syncs/listRecords';
import { BASE_VARIANT } from '../../../syncs/syncTargets';
import type { ApiContext } from '../../ApiContext';
import { RECORD_HEADERS, type RecordHeaders } from './recordHeaders';
import { integerIn } from '../../integerIn';

const TEXT = { type: 'string', minLength: 1, maxLength: 1000 } as const;

const schema = {
  headers: RECORD_HEADERS,
  querystring: {
    type: 'object',
    required: ['model'],
    properties: {
      model: { type: 'string', minLength: 1, maxLength: 255 },
      variant: { type: 'string', minLength: 1, maxLength: 255 },
      modified_after: TEXT,
      delta: TEXT,
      limit: integerIn(1, MAX_RECORD_PAGE),
      filter: { type: 'string', minLength: 1, maxLength: 100 },
      cursor: TEXT,
      ids: {
        anyOf: [
          { type: 'array', maxItems: MAX_RECORD_PAGE, items: { type: 'string', maxLength: 255 } },
          { type: 'string', maxLength: 255 },
        ],
      },
    },
  },
} as const;

interface Request {
  Headers: RecordHeaders;
  Querystring: {
    model: string;
    variant?: string;
    modified_after?: string;
    delta?: string;
    limit?: number;
    filter?: string;
    cursor?: string;
    ids?: string | string[];
  };
}

/** Records per page when `limit` is not given. */
const DEFAULT_LIMIT = 100;
const ACTIONS: Record<string, RecordAction> = { added: 'ADDED', updated: 'UPDATED', deleted: 'DELETED' };

/** `filter` as record actions: a comma list of added, updated, deleted (any case). */
function parseFilter(text: string): RecordAction[] {
  return text.split(',').map((item) => {
    const action = ACTIONS[item.trim().toLowerCase()];
    if (!action) throw new WorkerError('invalid_request', `filter: '${item}' is not one of added, updated, deleted`);
    return action;
  });
}

/** `modified_after` (or `delta`) as epoch ms: any date Date.parse reads, ISO 8601 first of all. */
function parseTime(text: string, field: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new WorkerError('invalid_request', `${field}: '${text}' is not a date (use ISO 8601)`);
  return ms;
}

/**
 * `GET /records` (and `/records/`), headers `Connection-Id`, `Provider-Config-Key`, query `model`, `variant`,
 * `modified_after` (or `delta`), `limit` (default 100, at most 10000), `filter`, `cursor`, repeated `ids`:
 * `{ records: [ { …payload, id, _nango_metadata } ], next_cursor }`, oldest change first.
 */
export function registerGetRecords(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/records', { schema }, async (request) => {
    const query = request.query;
    const after = query.modified_after ?? query.delta;
    const field = query.modified_after !== undefined ? 'modified_after' : 'delta';
    const ids = query.ids === undefined ? undefined : Array.isArray(query.ids) ? query.ids : [query.ids];
    return listRecords(context, {
      integration: request.headers['provider-config-key'],
      userId: request.headers['connection-id'],
      model: query.model,
      variant: query.variant ?? BASE_VARIANT,
      limit: query.limit ?? DEFAULT_LIMIT,
      ...(after !== undefined && { modifiedAfter: parseTime(after, field) }),
      ...(query.filter !== undefined && { actions: parseFilter(query.filter) }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
      ...(ids !== undefined && { ids }),
    });
  });
}
