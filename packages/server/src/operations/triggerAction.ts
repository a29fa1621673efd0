import type { TriggerActionMessage } from '@nangohq/protocol';
import { validateActionInput } from '../config/actionInput';
import { callFingerprint, runIdempotently } from '../actions/runIdempotently';
import { connectionNotFound, WorkerError } from '../errors';
import type { EncodedJson } from '../broker/EncodedJson';
import { requireIntegration, type OperationContext } from './OperationContext';

/**
 * Runs an action for a user's Connection. The action is looked up among those integrations.yaml declares, so a
 * name from a message only ever selects a declared file and can never point outside the integrations folder.
 * With an idempotency key, the action runs at most once per key (see runIdempotently).
 * @throws WorkerError `unknown_integration`, `unknown_action`, `invalid_action_input`, `connection_not_found`, and the
 *   run's errors
 */
export async function triggerAction(context: OperationContext, message: TriggerActionMessage): Promise<EncodedJson> {
  const integration = requireIntegration(context, message.integration);
  const action = integration.actions.get(message.action);
  if (!action) {
    const known = [...integration.actions.keys()].join(', ') || 'none';
    throw new WorkerError(
      'unknown_action',
      `Integration '${integration.name}' has no action '${message.action}'; declared: ${known}`,
    );
  }
  validateActionInput(action, message.input ?? {});
  const stored = await context.store.get(integration.name, message.userId);
  if (!stored) throw connectionNotFound(integration.name, message.userId);
  // onStart claims a keyed run's key once it holds a slot, right before the action's code: nothing is claimed while
  // it waits, and a failure before it (refresh, load) leaves nothing behind.
  const run = async (onStart?: () => Promise<void>) => {
    const connection = await context.refresher.ensureFresh(integration, stored);
    return context.runner.run(integration, action, connection, message.input ?? {}, onStart);
  };
  if (message.idempotencyKey === undefined) return run();
  const scope = { integration: integration.name, userId: message.userId, key: message.idempotencyKey };
  // The lease is renewed while the run is pending; outlasting the run's time limit, it also rides out a few
  // renewals the database refused. Only a run whose worker died lets it lapse.
  const limits = { leaseMs: action.timeoutMs + LEASE_MARGIN_MS, ttlMs: context.idempotencyTtlMs };
  const call = callFingerprint(action.name, message.input);
  return runIdempotently(context.idempotency, scope, call, limits, run);
}

/** Slack between an action's time limit and its idempotency lease: time to store the outcome. */
const LEASE_MARGIN_MS = 10_000;
