import type { FastifyInstance } from 'fastify';
import { triggerSync } from '../../../syncs/triggerSync';
import type { ApiContext } from '../../ApiContext';
import { selectionOf, SYNC_SELECTION_BODY, type SyncSelectionBody } from './syncSchemas';

const schema = {
  body: {
    ...SYNC_SELECTION_BODY,
    properties: {
      ...SYNC_SELECTION_BODY.properties,
      opts: { type: 'object', properties: { reset: { type: 'boolean' }, emptyCache: { type: 'boolean' } } },
      sync_mode: { enum: ['incremental', 'full_refresh', 'full_refresh_and_clear_cache', true, false] },
    },
  },
} as const;

interface Request {
  Body: SyncSelectionBody & {
    opts?: { reset?: boolean; emptyCache?: boolean };
    sync_mode?: 'incremental' | 'full_refresh' | 'full_refresh_and_clear_cache' | boolean;
  };
}

/**
 * `POST /sync/trigger` `{ syncs, provider_config_key, connection_id?, opts?: { reset?, emptyCache? } }` (or the
 * legacy `sync_mode`): the syncs run now, for one Connection or all; `{ success: true }`.
 */
export function registerPostSyncTrigger(app: FastifyInstance, context: ApiContext): void {
  app.post<Request>('/sync/trigger', { schema }, async (request) => {
    const { opts, sync_mode: mode } = request.body;
    const reset = opts?.reset === true || mode === true || mode === 'full_refresh' || mode === 'full_refresh_and_clear_cache';
    const emptyCache = opts?.emptyCache === true || mode === 'full_refresh_and_clear_cache';
    await triggerSync(context, selectionOf(request.body), { reset, emptyCache });
    return { success: true };
  });
}
