import type { FastifyInstance } from 'fastify';
import { setSyncStatus } from '../../../syncs/setSyncStatus';
import type { ApiContext } from '../../ApiContext';
import { selectionOf, SYNC_SELECTION_BODY, type SyncSelectionBody } from './syncSchemas';

const schema = { body: SYNC_SELECTION_BODY } as const;

/** `POST /sync/start` `{ syncs, provider_config_key, connection_id? }`: the syncs runs at once when due, then at its frequency; `{ success: true }`. */
export function registerPostSyncStart(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: SyncSelectionBody }>('/sync/start', { schema }, async (request) => {
    await setSyncStatus(context, selectionOf(request.body), 'running');
    return { success: true };
  });
}
