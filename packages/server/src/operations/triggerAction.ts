import type { TriggerActionMessage } from '@nangohq/protocol';
import { validateActionInput } from '../config/actionInput';
import { callFingerprint, runIdempotently } from '../actions/runIdempotently';
import { connectionNotFound, WorkerError } from '../errors';
import { EncodedJson } from '../broker/EncodedJson';
import type { OperationFields } from '../operationLog/Operation';
import type { OperationHandle } from '../operationLog/OperationLog';
import { failureOf } from '../operationLog/failureOf';
import { requireAction, requireIntegration, type OperationContext } from './OperationContext';
import { functionHost } from './functionHost';

/** How a run relates to others, for its operation: an async action's retries point at its first attempt. */
export interface ActionRunOptions {
  /** The operation of the attempt this one retries. */
  readonly parentId?: string | undefined;
  /** Fields the operation starts with (`async`, `asyncActionId`, `retry`). */
  readonly fields?: OperationFields | undefined;
  /** Which retry this is, and of how many allowed: a message "retry 2 of 3" opens its operation. */
  readonly retry?: { readonly number: number; readonly of: number; readonly after: string } | undefined;
  /**
   * Set for a run a function's triggerAction asked for: how deep it sits (1 for a client's run's child) and the
   * caller's signal. It runs in its caller's action slot and stops when its caller is stopped (see ActionRunner.run).
   */
  readonly nested?: { readonly depth: number; readonly signal: AbortSignal } | undefined;
}

/**
 * Runs an action for a user's Connection. The action is looked up among those integrations.yaml declares, so a
 * name from a message only ever selects a declared file and can never point outside the integrations folder.
 * With an idempotency key, the action runs at most once per key (see runIdempotently). Each call is one `action`
 * operation (refused ones too); its id comes back on the result and on the error (`operationId`) for the reply.
 * @throws WorkerError `unknown_integration`, `unknown_action`, `invalid_action_input`, `connection_not_found`, and the
 *   run's errors
 */
export async function triggerAction(
  context: OperationContext,
  message: TriggerActionMessage,
  options: ActionRunOptions = {},
): Promise<EncodedJson> {
  const operation = context.log.start({
    kind: 'action',
    name: message.action,
    integration: message.integration,
    connectionId: message.userId,
    fields: options.fields,
    parentId: options.parentId,
  });
  const { retry } = options;
  if (retry) operation.message('info', `retry ${retry.number} of ${retry.of} after ${retry.after}`);
  try {
    const result = await runAction(context, message, operation, options);
    operation.end('success');
    return operation.id === '' ? result : new EncodedJson(result.json, operation.id);
  } catch (error) {
    const { status, error: ended } = failureOf(error);
    operation.end(status, ended);
    if (!(error instanceof WorkerError) || operation.id === '') throw error;
    throw new WorkerError(error.code, error.message, { cause: error, operationId: operation.id, ...payloadOf(error) });
  }
}

async function runAction(
  context: OperationContext,
  message: TriggerActionMessage,
  operation: OperationHandle,
  options: ActionRunOptions,
): Promise<EncodedJson> {
  const integration = requireIntegration(context, message.integration);
  const action = await requireAction(context, integration, message.action);
  validateActionInput(action, message.input ?? {});
  const stored = await context.store.get(integration.name, message.userId);
  if (!stored) throw connectionNotFound(integration.name, message.userId);
  // onStart claims a keyed run's key once it holds a slot, right before the action's code: nothing is claimed while
  // it waits, and a failure before it (refresh, load) leaves nothing behind.
  // A deployed function's calls past its sandbox: its own Connection's metadata, other actions (one level deeper,
  // children of this operation), its integration and environment.
  const depth = options.nested?.depth ?? 0;
  const host = functionHost(context, { integration, userId: message.userId, depth }, (child, childDepth, signal) =>
    triggerAction(context, child, { parentId: operation.id || undefined, nested: { depth: childDepth, signal } }),
  );
  // Whether this call ran the action itself: not when the key was another run's (its outcome is replayed).
  let ranHere: boolean | undefined;
  const run = async (onStart?: () => Promise<void>) => {
    ranHere ??= true;
    const connection = await context.refresher.ensureFresh(integration, stored, { operationId: operation.id });
    const start =
      onStart &&
      (() =>
        onStart().then(
          () => void (ranHere = true),
          (error: unknown) => {
            ranHere = false;
            throw error;
          },
        ));
    const { nested } = options;
    return context.runner.run(integration, action, connection, message.input ?? {}, start, operation, host, nested);
  };
  if (message.idempotencyKey === undefined) return run();
  const scope = { integration: integration.name, userId: message.userId, key: message.idempotencyKey };
  // The lease is renewed while the run is pending; outlasting the run's time limit, it also rides out a few
  // renewals the database refused. Only a run whose worker died lets it lapse.
  const limits = { leaseMs: action.timeoutMs + LEASE_MARGIN_MS, ttlMs: context.idempotencyTtlMs };
  const call = callFingerprint(action.name, message.input);
  try {
    return await runIdempotently(context.idempotency, scope, call, limits, run);
  } finally {
    // The key was not this call's to take: the outcome is an earlier run's, kept under the key (or its refusal).
    if (ranHere !== true) operation.set({ replayed: true });
  }
}

/** Slack between an action's time limit and its idempotency lease: time to store the outcome. */
const LEASE_MARGIN_MS = 10_000;

/** An ActionError's payload, kept when the error is wrapped (absent for other errors). */
function payloadOf(error: WorkerError): { payload?: unknown } {
  return error.payload === undefined ? {} : { payload: error.payload };
}
