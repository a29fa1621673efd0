import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { decodeCursor, encodeCursor, FILTER_PROPERTIES, operationFilter, type FilterQuery } from './operationQuery';
import { operationWire } from './operationWire';

/** Operations per page when no limit is given, and the most a page holds. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

const schema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...FILTER_PROPERTIES,
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
      cursor: { type: 'string', minLength: 1, maxLength: 100 },
    },
  },
} as const;

interface Request {
  Querystring: FilterQuery & { limit: number; cursor?: string };
}

/**
 * `GET /logs/operations?from&to&kind&status&integration&connectionId&endUserId&errorCode&q&limit&cursor`: the
 * operations log, newest first: `{ operations: [...], next_cursor }` (null on the last page). `kind` and `status`
 * take comma-separated lists; `from` and `to` ISO 8601 times or epoch ms; `q` words that must all appear in one
 * message, or in the name and error. Unknown parameters and bad values are 400 `invalid_request` naming them.
 */
export function registerListOperations(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/logs/operations', { schema }, async (request) => {
    const { limit, cursor, ...filters } = request.query;
    const filter = operationFilter(filters);
    const before = cursor === undefined ? undefined : decodeCursor('cursor', cursor);
    const page = await context.store.operations.list(filter, { limit, before });
    return {
      operations: page.operations.map(operationWire),
      next_cursor: page.next === null ? null : encodeCursor(page.next),
    };
  });
}
