import type { NangoConnection } from '@nangohq/protocol';
import type { ActionConfig, IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import { failureOf } from '../operationLog/failureOf';
import type { OnEventRun } from './OnEventQueue';
import type { OperationContext } from './OperationContext';
import { functionHost } from './functionHost';
import { triggerAction } from './triggerAction';

/** One on-event function that failed: its name and what its operation ended with. */
export interface OnEventFailure {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Runs every on-event function of the active deployment that the Connection's integration has for `event`, one
 * after the other in the order deployed, on the Connection as stored now (credentials made fresh first), in the
 * sandbox with the functions runtime a deployed action gets (functionHost): requests through the worker's outbound
 * path, `setMetadata` / `updateMetadata` on this Connection, `triggerAction`. Each run is an `event` operation
 * named after the function, with the event in its fields, pointing at `parentId`. A failure is recorded there and returned; it never stops the next function.
 * @returns the failures, empty when every function ran (or none is deployed)
 * @throws WorkerError `storage_error` (the deployment or the Connection could not be read)
 */
export async function runOnEvents(
  context: OperationContext,
  run: OnEventRun,
  /** The event's functions when the caller read them already (deployedOnEvents); else read here. */
  given?: readonly ActionConfig[],
): Promise<OnEventFailure[]> {
  const integration = context.integrations().integrations.get(run.integration);
  if (!integration || !context.deployed) return [];
  const functions = given ?? (await context.deployed.onEvents(integration, run.event));
  if (functions.length === 0) return [];
  const stored = await context.store.get(integration.name, run.userId);
  // No Connection to delete: the deletion answers connection_not_found, and there is nothing to clean up.
  if (!stored && run.event === 'pre-connection-deletion') return [];
  const failures: OnEventFailure[] = [];
  for (const handler of functions) {
    const failure = await runOne(context, integration, handler, stored, run);
    if (failure) failures.push(failure);
  }
  return failures;
}

/**
 * Every deployed on-event function of an integration, by event, from one read of the active deployment (a save needs
 * validate-connection's and post-connection-creation's); empty for an unknown integration or without deployments.
 * @throws WorkerError `storage_error`
 */
export async function deployedOnEvents(
  context: OperationContext,
  integrationName: string,
): Promise<ReadonlyMap<string, readonly ActionConfig[]>> {
  const integration = context.integrations().integrations.get(integrationName);
  if (!integration || !context.deployed) return new Map();
  return context.deployed.onEventsOf(integration);
}

async function runOne(
  context: OperationContext,
  integration: IntegrationConfig,
  handler: ActionConfig,
  stored: NangoConnection | undefined,
  run: OnEventRun,
): Promise<OnEventFailure | undefined> {
  const operation = context.log.start({
    kind: 'event',
    name: handler.name,
    integration: integration.name,
    connectionId: run.userId,
    parentId: run.parentId,
    fields: { event: run.event },
    secrets: stored?.credentials,
  });
  try {
    if (!stored) {
      throw new WorkerError(
        'connection_not_found',
        `The Connection of '${run.userId}' on '${integration.name}' was deleted before its ${run.event} functions ran`,
      );
    }
    const connection = await context.refresher.ensureFresh(integration, stored, { operationId: operation.id });
    // The calls past its sandbox as a deployed action's: metadata of its Connection, triggerAction (children of this
    // operation), its integration and environment.
    const host = functionHost(context, { integration, userId: run.userId, depth: 0 }, (child, depth, signal) =>
      triggerAction(context, child, { parentId: operation.id || undefined, nested: { depth, signal } }),
    );
    await context.runner.run(integration, handler, connection, {}, undefined, operation, host);
    operation.end('success');
    return undefined;
  } catch (error) {
    const { status, error: ended } = failureOf(error);
    operation.end(status, ended);
    context.logger?.warn(
      { integration: integration.name, connectionId: run.userId, event: run.event, function: handler.name, code: ended.code },
      'on-event function failed',
    );
    return { name: handler.name, code: ended.code, message: ended.message };
  }
}
