import type { FastifyInstance } from 'fastify';
import { MAX_RECORD_PAGE } from '../../../store/RecordStore';
import { pruneRecords } from '../../../syncs/pruneRecords';
import { BASE_VARIANT } from '../../../syncs/syncTargets';
import type { ApiContext } from '../../ApiContext';
import { RECORD_HEADERS, type RecordHeaders } from './recordHeaders';
import { integerIn } from '../../integerIn';

const schema = {
  headers: RECORD_HEADERS,
  body: {
    type: 'object',
    required: ['model', 'until_cursor'],
    properties: {
      model: { type: 'string', minLength: 1, maxLength: 255 },
      variant: { type: 'string', minLength: 1, maxLength: 255 },
      until_cursor: { type: 'string', minLength: 1, maxLength: 1000 },
      limit: integerIn(1, MAX_RECORD_PAGE),
    },
  },
} as const;

interface Request {
  Headers: RecordHeaders;
  Body: { model: string; variant?: string; until_cursor: string; limit?: number };
}

/** Records pruned per call when `limit` is not given. */
const DEFAULT_LIMIT = 1000;

/**
 * `PATCH /records/prune` (headers `Connection-Id`, `Provider-Config-Key`) `{ model, until_cursor, limit?, variant? }`:
 * drops payloads up to the cursor, keeping metadata; `{ count, has_more }`.
 */
export function registerPatchPruneRecords(app: FastifyInstance, context: ApiContext): void {
  app.patch<Request>('/records/prune', { schema }, async (request) => {
    const body = request.body;
    return pruneRecords(context, {
      integration: request.headers['provider-config-key'],
      userId: request.headers['connection-id'],
      model: body.model,
      variant: body.variant ?? BASE_VARIANT,
      untilCursor: body.until_cursor,
      limit: body.limit ?? DEFAULT_LIMIT,
    });
  });
}
