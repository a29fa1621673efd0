import type { IntegrationConfig } from '../config/types';
import { cut } from '../operationLog/operationFields';
import type { OperationHandle } from '../operationLog/OperationLog';
import type { RoutedEvent } from '../providerWebhooks/IncomingWebhook';
import type { ProviderWebhookMessage } from '../providerWebhooks/providerWebhookQueue';
import type { OperationContext } from './OperationContext';

/** Most Connections one event is routed to: a payload value shared by more is a routing mistake, not a fan-out. */
export const MAX_CONNECTIONS_PER_EVENT = 100;

/** One run of the functions subscribed to a webhook, as WebhookHandlers is asked for it. */
export interface WebhookHandlerCall {
  readonly integration: IntegrationConfig;
  /** The Connection's id (our user id). */
  readonly userId: string;
  /** The event type subscriptions match; undefined when the provider gives none (only `*` subscriptions match). */
  readonly type: string | undefined;
  readonly payload: unknown;
  /** The routing operation, which each handler's run points at. */
  readonly parentId: string;
}

/** Runs the deployed functions subscribed to a provider webhook (see functions/webhookHandlers); absent: none run. */
export interface WebhookHandlers {
  /** Runs each subscribed handler for one Connection; resolves to the names of those run. Never throws. */
  run(call: WebhookHandlerCall): Promise<string[]>;
}

/** What one webhook came to, for tests and the consumer's log line. */
export interface WebhookRouting {
  /** The Connections it was routed to, by user id. */
  readonly userIds: readonly string[];
  /** `forward` webhooks stored in the outbox. */
  readonly forwarded: number;
  /** Handlers run, as `<name>` per Connection. */
  readonly handlersRun: number;
}

/**
 * Routes one provider webhook a worker took from `<queue>.webhooks`: finds the Connections each event names (a
 * Connection setting matched with the payload's value, store/Store.ts userIdsByConfigValue), forwards the webhook to
 * the app when the integration says so (`type: 'forward'`, one per Connection, one without a Connection when none was
 * found, as Nango does), and runs the subscribed functions per Connection and event. An operation of its own
 * (`webhook`, `route`), child of the reception's; a webhook no Connection matches is accepted and ends that operation
 * `failed` with `connection_not_found`, naming the setting it looked for.
 * @throws WorkerError `storage_error` (the message goes back to the queue), or what storing a forward throws
 */
export async function routeProviderWebhook(
  context: OperationContext,
  message: ProviderWebhookMessage,
  handlers?: WebhookHandlers,
): Promise<WebhookRouting> {
  const operation = context.log.start({
    kind: 'webhook',
    name: 'route',
    integration: message.integration,
    parentId: message.operationId,
    fields: { direction: 'incoming', events: message.events.length },
  });
  try {
    const integration = context.integrations().integrations.get(message.integration);
    const routed = await findConnections(context, message, operation);
    const userIds = [...new Set(routed.flatMap((event) => event.userIds))];
    const forwarded = integration?.webhooks?.forward === true ? await forward(context, message, userIds) : 0;
    let handlersRun = 0;
    if (integration && handlers) {
      for (const { event, userIds: eventUsers } of routed) {
        for (const userId of eventUsers) {
          const call = { integration, userId, type: event.type, payload: message.payload, parentId: operation.id };
          handlersRun += (await handlers.run(call)).length;
        }
      }
    }
    operation.set({ connections: userIds.length, forwarded, handlers: handlersRun });
    if (!integration) {
      operation.end('failed', {
        code: 'unknown_integration',
        message: `Integration '${message.integration}' was removed after the webhook was received`,
      });
    } else if (userIds.length === 0) {
      operation.end('failed', { code: 'connection_not_found', message: unroutedMessage(message) });
    } else {
      operation.end('success');
    }
    return { userIds, forwarded, handlersRun };
  } catch (error) {
    operation.end('failed', { code: 'storage_error', message: `The webhook could not be routed: ${(error as Error).message}` });
    throw error;
  }
}

/** Each event with the Connections its lookup found (none without a lookup), reading each lookup once. */
async function findConnections(
  context: OperationContext,
  message: ProviderWebhookMessage,
  operation: OperationHandle,
): Promise<{ event: RoutedEvent; userIds: string[] }[]> {
  const found = new Map<string, string[]>();
  const routed: { event: RoutedEvent; userIds: string[] }[] = [];
  for (const event of message.events) {
    const lookup = event.lookup;
    if (lookup === undefined) {
      routed.push({ event, userIds: [] });
      continue;
    }
    const cacheKey = JSON.stringify([lookup.key, lookup.value]);
    let userIds = found.get(cacheKey);
    if (userIds === undefined) {
      userIds =
        lookup.key === 'connectionId'
          ? (await context.store.getConfig(message.integration, lookup.value)) !== undefined
            ? [lookup.value]
            : []
          : await context.store.userIdsByConfigValue(message.integration, lookup.key, lookup.value, MAX_CONNECTIONS_PER_EVENT);
      found.set(cacheKey, userIds);
      if (userIds.length === MAX_CONNECTIONS_PER_EVENT) {
        operation.message(
          'warn',
          `${lookup.key} = ${cut(lookup.value, 64)} matches ${MAX_CONNECTIONS_PER_EVENT} Connections or more: only the first ${MAX_CONNECTIONS_PER_EVENT} get it`,
        );
      }
    }
    routed.push({ event, userIds });
  }
  return routed;
}

/** Stores the `forward` webhooks: one per Connection, or one without a Connection. */
async function forward(context: OperationContext, message: ProviderWebhookMessage, userIds: readonly string[]): Promise<number> {
  const base = {
    from: message.provider ?? message.integration,
    type: 'forward' as const,
    providerConfigKey: message.integration,
  };
  if (userIds.length === 0) {
    await context.webhooks.enqueue({ ...base, payload: message.payload });
    return 1;
  }
  for (const connectionId of userIds) await context.webhooks.enqueue({ ...base, connectionId, payload: message.payload });
  return userIds.length;
}

/** Why no Connection got the webhook: the settings it looked for (their values are ids, never secrets), or none. */
function unroutedMessage(message: ProviderWebhookMessage): string {
  const looked = [
    ...new Set(message.events.flatMap((event) => (event.lookup ? [`${event.lookup.key} = ${cut(event.lookup.value, 64)}`] : []))),
  ];
  if (looked.length === 0) {
    return 'The webhook names no Connection its provider routing can read; accepted, and forwarded without a Connection when forwarding is on';
  }
  return `No Connection of '${message.integration}' has ${looked.slice(0, 5).join(' or ')} in its config or metadata; accepted, and forwarded without a Connection when forwarding is on`;
}
