import type { IntegrationInfo } from '@nangohq/action';
import type { TriggerActionMessage } from '@nangohq/protocol';
import type { HostCallArgs, WorkerCall } from '../actions/sandboxProtocol';
import type { EncodedJson } from '../broker/EncodedJson';
import type { IntegrationConfig } from '../config/types';
import { connectionNotFound, WorkerError } from '../errors';
import { requireIntegration, type OperationContext } from './OperationContext';
import { setMetadata } from './setMetadata';
import { updateMetadata } from './updateMetadata';

/**
 * How deep runs may trigger runs: a function's `triggerAction` from a run this many levels below the caller's
 * request is refused, so a function that triggers itself (or two that trigger each other) stops there with an error
 * that says so, instead of running until the worker has no memory left.
 */
export const MAX_ACTION_DEPTH = 4;

/** One run as the host sees it: whose it is and where it sits among the runs that asked for each other. */
export interface FunctionRun {
  readonly integration: IntegrationConfig;
  readonly userId: string;
  /** 0 for a run a client asked for, its caller's + 1 for a run a function's triggerAction asked for. */
  readonly depth: number;
}

/** Runs the action a triggerAction asked for: the triggerAction operation, one level deeper, in the caller's slot. */
export type RunChild = (message: TriggerActionMessage, depth: number, signal: AbortSignal) => Promise<EncodedJson>;

/**
 * The worker's side of a deployed function's calls that reach past its sandbox (see FunctionRuntime): its own
 * Connection's metadata written, another action run, another Connection read, what it may know of its integration
 * and environment. One run's triggerAction calls run one after another, so a run holds at most one child's sandbox
 * at a time, whatever it asks at once.
 * @throws WorkerError `action_depth_exceeded` (as `action_failed`), and what each call throws
 */
export function functionHost(
  context: OperationContext,
  run: FunctionRun,
  runChild: RunChild,
): (method: WorkerCall, args: HostCallArgs, signal: AbortSignal) => Promise<unknown> {
  let children: Promise<unknown> = Promise.resolve();
  return (method, args, signal) => {
    switch (method) {
      case 'setMetadata':
      case 'updateMetadata':
        return writeMetadata(context, run, method, args.metadata ?? {});
      case 'getIntegration':
        return Promise.resolve(integrationInfo(context, run.integration));
      case 'getEnvironmentVariables':
        return Promise.resolve(Object.entries(context.environment?.variables ?? {}).map(([name, value]) => ({ name, value })));
      case 'getConnection':
        return readConnection(context, args);
      case 'triggerAction': {
        const next = children.then(() => triggerChild(run, args, signal, runChild));
        children = next.catch(() => undefined);
        return next;
      }
      default:
        return Promise.reject(new WorkerError('internal_error', `${method} is only for sync runs`));
    }
  };
}

function writeMetadata(
  context: OperationContext,
  run: FunctionRun,
  method: 'setMetadata' | 'updateMetadata',
  metadata: Record<string, unknown>,
): Promise<unknown> {
  // The run's own Connection only, with the size check of every door.
  const change = { integration: run.integration.name, userIds: [run.userId], metadata };
  return method === 'setMetadata'
    ? setMetadata(context, { type: 'setMetadata', ...change })
    : updateMetadata(context, { type: 'updateMetadata', ...change });
}

/** @throws WorkerError `action_failed` past MAX_ACTION_DEPTH; the child's own error, its code kept, naming it */
async function triggerChild(run: FunctionRun, args: HostCallArgs, signal: AbortSignal, runChild: RunChild): Promise<unknown> {
  const { integration = '', connectionId = '', action = '' } = args;
  const what = `triggerAction('${integration}', '${connectionId}', '${action}')`;
  if (run.depth >= MAX_ACTION_DEPTH) {
    throw new WorkerError(
      'action_failed',
      `${what} refused: actions may trigger actions ${MAX_ACTION_DEPTH} levels deep at most (does an action trigger itself?)`,
    );
  }
  const message: TriggerActionMessage = {
    type: 'triggerAction',
    integration,
    userId: connectionId,
    action,
    input: args.input as Record<string, unknown>,
  };
  try {
    const result = await runChild(message, run.depth + 1, signal);
    return result.json === undefined ? undefined : JSON.parse(result.json);
  } catch (error) {
    if (!(error instanceof WorkerError)) throw error;
    const payload = error.payload === undefined ? {} : { payload: error.payload };
    throw new WorkerError(error.code, `${what} failed: ${error.message}`, { cause: error, ...payload });
  }
}

/** Another Connection of this server, its token refreshed when due, as the sandbox shows its own. */
async function readConnection(context: OperationContext, args: HostCallArgs): Promise<unknown> {
  const integration = requireIntegration(context, args.integration ?? '');
  const userId = args.connectionId ?? '';
  const stored = await context.store.get(integration.name, userId);
  if (!stored) throw connectionNotFound(integration.name, userId);
  return context.refresher.ensureFresh(integration, stored);
}

function integrationInfo(context: OperationContext, integration: IntegrationConfig): IntegrationInfo {
  const { provider } = integration;
  const environment = context.environment;
  if (!environment) throw new WorkerError('internal_error', 'getIntegration: this worker has no environment settings');
  return {
    integration: {
      unique_key: integration.name,
      provider: provider?.name ?? null,
      display_name: provider?.display_name ?? integration.name,
      auth_mode: integration.authMode,
    },
    webhookUrl: environment.webhookUrl(integration.name),
    paginate: provider?.proxy?.paginate as IntegrationInfo['paginate'],
  };
}
