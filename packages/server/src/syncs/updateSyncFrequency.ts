import { WorkerError } from '../errors';
import { describeFrequency } from './describeFrequency';
import { parseFrequency } from '../config/frequency';
import { ensureSchedules, selectTargets, type SyncOpsContext } from './syncTargets';

/**
 * Gives one sync of one Connection a frequency of its own (`every 2 hours`, at least 5 minutes), or with null gives
 * it back the sync's. The next run moves to the last start plus the new frequency. Returns the frequency in force.
 * @throws WorkerError `invalid_request` (not a frequency, or under 5 minutes), `unknown_integration`, `unknown_sync`,
 *   `connection_not_found`, `storage_error`
 */
export async function updateSyncFrequency(
  context: SyncOpsContext,
  request: { integration: string; sync: string; variant?: string; userId: string; frequency: string | null },
): Promise<string> {
  let ms: number | null = null;
  if (request.frequency !== null) {
    const parsed = parseFrequency(request.frequency);
    if ('problem' in parsed) throw new WorkerError('invalid_request', `frequency: ${parsed.problem}`);
    ms = parsed.ms;
  }
  const ref = { name: request.sync, ...(request.variant !== undefined && { variant: request.variant }) };
  const targets = await selectTargets(context, { integration: request.integration, syncs: [ref], userId: request.userId });
  const [schedule] = await ensureSchedules(context, targets);
  const sync = targets[0]?.sync;
  if (!schedule || !sync) throw new WorkerError('internal_error', 'no schedule for the sync');
  await context.store.syncSchedules.setFrequency(schedule.id, ms, sync.frequencyMs);
  return request.frequency ?? describeFrequency(sync.frequencyMs);
}
