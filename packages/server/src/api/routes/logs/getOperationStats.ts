import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import { OPERATION_STATUSES, type OperationStatus } from '../../../operationLog/Operation';
import type { ApiContext } from '../../ApiContext';
import { FILTER_PROPERTIES, operationFilter, type FilterQuery } from './operationQuery';

/** Bucket size when none is given, the smallest, and the most buckets one answer holds. */
export const DEFAULT_BUCKET_S = 3600;
export const MIN_BUCKET_S = 60;
export const MAX_BUCKETS = 1000;
/** The time range when `from` is not given: the day before `to`. */
const DEFAULT_RANGE_MS = 24 * 60 * 60 * 1000;

const schema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...FILTER_PROPERTIES,
      bucket: { type: 'integer', minimum: MIN_BUCKET_S, maximum: 366 * 24 * 3600, default: DEFAULT_BUCKET_S },
    },
  },
} as const;

interface Request {
  Querystring: FilterQuery & { bucket: number };
}

/** Operations of each status. */
type StatusCounts = Record<OperationStatus, number>;

function zeroCounts(): StatusCounts {
  return { running: 0, success: 0, failed: 0, cancelled: 0, timed_out: 0 };
}

/**
 * `GET /logs/operations/stats?from&to&bucket&<every filter of GET /logs/operations>`: how many operations started in
 * each bucket of `bucket` seconds (default 3600, at least 60), per status: `{ from, to, bucket, buckets: [{ start,
 * counts: { running, success, failed, cancelled, timed_out } }], totals }`. Buckets are aligned on multiples of their
 * size since the epoch (so a chart does not shift as time passes): the first is the one holding `from` (default: a
 * day before `to`, which defaults to now), and `from` in the answer is its start; every bucket up to `to` is listed,
 * empty ones too, at most MAX_BUCKETS. One grouped query on the store.
 */
export function registerGetOperationStats(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/logs/operations/stats', { schema }, async (request) => {
    const { bucket, ...filters } = request.query;
    const filter = operationFilter(filters);
    const to = filter.to ?? Date.now();
    const from = filter.from ?? Math.max(0, to - DEFAULT_RANGE_MS);
    if (from > to) throw new WorkerError('invalid_request', 'querystring/from is after now: give a `to` after it too');
    const size = bucket * 1000;
    const start = Math.floor(from / size) * size;
    const count = Math.floor((to - start) / size) + 1;
    if (count > MAX_BUCKETS) {
      throw new WorkerError(
        'invalid_request',
        `querystring/bucket: ${bucket} s buckets from ${new Date(start).toISOString()} to ${new Date(to).toISOString()} are ${count}; at most ${MAX_BUCKETS}: make bucket larger or the range shorter`,
      );
    }
    const counted = await context.store.operations.countBySlot({ ...filter, from: start, to }, { start, size });
    const buckets = Array.from({ length: count }, (_, slot) => ({
      start: new Date(start + slot * size).toISOString(),
      counts: zeroCounts(),
    }));
    const totals = zeroCounts();
    for (const { slot, status, count: n } of counted) {
      const known = OPERATION_STATUSES.includes(status as OperationStatus);
      const counts = buckets[slot]?.counts;
      if (!known || counts === undefined) continue; // a status this server does not know, or a row outside the range
      counts[status as OperationStatus] += n;
      totals[status as OperationStatus] += n;
    }
    return { from: new Date(start).toISOString(), to: new Date(to).toISOString(), bucket, buckets, totals };
  });
}
