import type { ActionConfig } from '../config/types';
import type { OnEventRun } from './OnEventQueue';
import type { OperationContext } from './OperationContext';
import { runOnEvents } from './runOnEvents';

/**
 * After a new Connection is stored (and its `auth` webhook queued): hands the run of its integration's deployed
 * post-connection-creation functions (`functions`, read by deployedOnEvents) to a worker through the on-event queue,
 * without waiting for the run, as Nango does, so the creation's answer is not delayed by it. When the queue cannot take it (no broker link, a process
 * without the queue), this process runs them itself in the background: a run is never dropped. A failure is the
 * run's `event` operation's; it never touches the Connection. Never throws.
 */
export async function queuePostConnection(
  context: OperationContext,
  run: Omit<OnEventRun, 'event'>,
  functions: readonly ActionConfig[],
): Promise<void> {
  // The common case: no function to run, nothing queued. The worker reads the functions again when it runs them, so a
  // deployment in between is the one that runs.
  if (functions.length === 0) return;
  const queued = { ...run, event: 'post-connection-creation' as const };
  try {
    if (context.onEvents && (await context.onEvents.enqueue(queued))) return;
  } catch (error) {
    context.logger?.warn({ err: error, integration: run.integration }, 'could not queue the post-connection-creation run');
  }
  context.logger?.info(
    { integration: run.integration, connectionId: run.userId },
    'post-connection-creation functions run in this process: the on-event queue could not take them',
  );
  void runOnEvents(context, queued, functions).catch((error: unknown) =>
    context.logger?.error({ err: error, integration: run.integration }, 'post-connection-creation run failed'),
  );
}
