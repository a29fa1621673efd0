import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import { SCHEDULE_STATES, type ScheduleState } from '../../../store/SyncScheduleStore';
import { syncOverview } from '../../../syncs/syncOverview';
import type { ApiContext } from '../../ApiContext';
import { integerIn } from '../../integerIn';

/** Schedules per page when no limit is given, and the most a page holds. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

const schema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      integration: { type: 'string', minLength: 1, maxLength: 128 },
      connectionId: CONNECTION_ID_SCHEMA,
      status: { type: 'string', minLength: 1, maxLength: 32 },
      behindSchedule: { type: 'string', enum: ['true', 'false'] },
      limit: integerIn(1, MAX_LIMIT),
      page: integerIn(0, 1_000_000),
    },
  },
} as const;

interface Request {
  Querystring: {
    integration?: string;
    connectionId?: string;
    status?: string;
    behindSchedule?: 'true' | 'false';
    limit?: number;
    page?: number;
  };
}

/**
 * `GET /syncs?integration&connectionId&status&behindSchedule&limit&page`: every sync schedule across Connections, one
 * page of them (`limit` 1 to 500, default 50; `page` from 0), by integration, connection id, sync and variant:
 * `{ syncs: [{ integration, connection_id, name, variant, status, frequency, last_run_at, next_run_at,
 * behind_seconds, last_error, record_count }] }`. `status` is one of RUNNING, PAUSED, SUCCESS, ERROR, STOPPED (any
 * case); `behindSchedule=true` keeps the schedules behind (see docs/http-api.md), `false` the others.
 */
export function registerListSyncs(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/syncs', { schema }, async (request) => {
    const { integration, connectionId, status, behindSchedule, limit = DEFAULT_LIMIT, page = 0 } = request.query;
    const syncs = await syncOverview(
      context,
      {
        integration,
        userId: connectionId,
        state: status === undefined ? undefined : stateOf(status),
        behindSchedule: behindSchedule === undefined ? undefined : behindSchedule === 'true',
        limit,
        page,
      },
      context.workerSettings.syncTickMs,
    );
    return { syncs };
  });
}

/** `status` as a state, any case. @throws WorkerError `invalid_request` naming the parameter */
function stateOf(status: string): ScheduleState {
  const state = status.toUpperCase() as ScheduleState;
  if (!SCHEDULE_STATES.includes(state)) {
    throw new WorkerError('invalid_request', `querystring/status must be one of ${SCHEDULE_STATES.join(', ')}, got '${status}'`);
  }
  return state;
}
