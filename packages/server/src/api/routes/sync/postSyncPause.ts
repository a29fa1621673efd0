import type { FastifyInstance } from 'fastify';
import { setSyncStatus } from '../../../syncs/setSyncStatus';
import type { ApiContext } from '../../ApiContext';
import { selectionOf, SYNC_SELECTION_BODY, type SyncSelectionBody } from './syncSchemas';

const schema = { body: SYNC_SELECTION_BODY } as const;

/** `POST /sync/pause` `{ syncs, provider_config_key, connection_id? }`: the syncs run no more until started again (or triggered); `{ success: true }`. */
export function registerPostSyncPause(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: SyncSelectionBody }>('/sync/pause', { schema }, async (request) => {
    await setSyncStatus(context, selectionOf(request.body), 'paused');
    return { success: true };
  });
}
