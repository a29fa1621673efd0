import type { TriggerActionMessage } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import type { EncodedJson } from '../rpc/EncodedJson';
import { connectionNotFound, requireIntegration, type HandlerContext } from './HandlerContext';

/**
 * Runs an action for a user's Connection. The action is looked up among those integrations.yaml declares, so a
 * name from a message only ever selects a declared file and can never point outside the integrations folder.
 * @throws WorkerError `unknown_integration`, `unknown_action`, `connection_not_found`, and the run's errors
 */
export async function triggerAction(context: HandlerContext, message: TriggerActionMessage): Promise<EncodedJson> {
  const integration = requireIntegration(context, message.integration);
  const action = integration.actions.get(message.action);
  if (!action) {
    const known = [...integration.actions.keys()].join(', ') || 'none';
    throw new WorkerError(
      'unknown_action',
      `Integration '${integration.name}' has no action '${message.action}'; declared: ${known}`,
    );
  }
  const connection = context.store.get(integration.name, message.userId);
  if (!connection) throw connectionNotFound(integration.name, message.userId);
  return context.runner.run(integration, action, connection, message.input ?? {});
}
