import type { ActionConfig } from '../config/types';
import { WorkerError } from '../errors';
import type { OperationContext } from './OperationContext';
import { runOnEvents } from './runOnEvents';

/** What validateConnection needs to know of the save it checks. */
export interface SavedConnection {
  readonly integration: string;
  readonly userId: string;
  /** `creation`: the Connection is new; `override`: an existing one got new credentials. */
  readonly operation: 'creation' | 'override';
}

/**
 * Runs the integration's deployed validate-connection functions (`functions`, read by deployedOnEvents) on a
 * Connection just stored (Nango runs them after the save, before it answers), waiting for them. When one throws, the
 * save is refused as Nango refuses it: a new Connection is deleted again; an existing one (re-authorised) keeps its new credentials but is marked as needing
 * reauthorization, so that it is not used until the user connects again. Each run is an `event` operation.
 * @throws WorkerError `connection_validation_failed` with the function's message, `storage_error`
 */
export async function validateConnection(
  context: OperationContext,
  saved: SavedConnection,
  functions: readonly ActionConfig[],
): Promise<void> {
  if (functions.length === 0) return;
  const { integration, userId } = saved;
  const failures = await runOnEvents(context, { event: 'validate-connection', integration, userId }, functions);
  const failure = failures[0];
  if (!failure) return;
  if (saved.operation === 'creation') {
    await context.store.delete(integration, userId);
  } else {
    const stored = await context.store.get(integration, userId);
    const version = stored && (await context.store.credentialsVersion(stored.uuid));
    if (stored && version !== undefined) {
      await context.store.markNeedsReauthorization(stored.uuid, `validate-connection: ${failure.message}`, version);
    }
  }
  const outcome = saved.operation === 'creation' ? 'it was not kept' : 'it needs to be authorised again';
  throw new WorkerError(
    'connection_validation_failed',
    `The Connection of '${userId}' on '${integration}' failed its validate-connection function ${failure.name}: ${failure.message}; ${outcome}`,
  );
}
