import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';
import type { FastifyInstance } from 'fastify';
import { syncStatus } from '../../../syncs/syncStatus';
import type { SyncRef } from '../../../syncs/syncTargets';
import type { ApiContext } from '../../ApiContext';

const schema = {
  querystring: {
    type: 'object',
    required: ['syncs', 'provider_config_key'],
    properties: {
      syncs: { type: 'string', minLength: 1, maxLength: 10_000 },
      provider_config_key: { type: 'string', minLength: 1, maxLength: 128 },
      connection_id: CONNECTION_ID_SCHEMA,
    },
  },
} as const;

interface Request {
  Querystring: { syncs: string; provider_config_key: string; connection_id?: string };
}

/** `syncs` as sent: `*`, or a comma list of names and `name::variant`. */
function parseSyncs(text: string): SyncRef[] {
  if (text.trim() === '*') return [];
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const at = item.indexOf('::');
      return at < 0 ? item : { name: item.slice(0, at), variant: item.slice(at + 2) };
    });
}

/**
 * `GET /sync/status?syncs=<csv, name::variant, or *>&provider_config_key=…[&connection_id=…]`:
 * `{ syncs: [ { id, type, name, variant, connection_id, status, latestResult, frequency, finishedAt,
 * nextScheduledSyncAt, latestExecutionStatus, recordCount, checkpoint } ] }`.
 */
export function registerGetSyncStatus(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/sync/status', { schema }, async (request) => {
    const { syncs, provider_config_key: integration, connection_id: userId } = request.query;
    const entries = await syncStatus(context, {
      integration,
      syncs: parseSyncs(syncs),
      ...(userId !== undefined && { userId }),
    });
    return { syncs: entries };
  });
}
