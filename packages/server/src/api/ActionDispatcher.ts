import type * as amqp from 'amqplib';
import { Nango, NangoError } from '@nangohq/node-client';
import { WorkerError } from '../errors';
import type { Logger } from '../logger';
import { connectBroker } from '../broker/connectBroker';
import { splitBrokerUrls } from '../broker/brokerUrls';
import { declareAsyncActionQueue } from '../asyncActions/asyncActionQueue';
import { asyncActionQueue, providerWebhookQueue } from '../broker/queueNames';
import { inPublishSpan } from '../tracing/inPublishSpan';
import { declareProviderWebhookQueue, type ProviderWebhookMessage } from '../providerWebhooks/providerWebhookQueue';
import { ReconnectWait } from '../broker/ReconnectWait';

/** What the HTTP API needs from the broker to reach the workers. */
export interface ActionDispatcherOptions {
  /** One broker URL or several, comma-separated (NANGO_RABBITMQ_URL). */
  rabbitmqUrl: string;
  queue: string;
  queueType: 'classic' | 'quorum';
  logger: Logger;
}

/** How long a call waits for the broker connection when the API has just started. */
const CONNECT_WAIT_MS = 5_000;

/** Time a synchronous call waits past its action's time limit: the run's queueing, refresh and reply. */
const REPLY_SLACK_MS = 15_000;
/** What a synchronous call waits for an action the API does not know (the worker answers `unknown_action`). */
const DEFAULT_WAIT_MS = 40_000;

/** How long a synchronous call waits for its reply: the action's time limit and some slack (`undefined`: unknown). */
export function replyWaitMs(actionTimeoutMs: number | undefined): number {
  return actionTimeoutMs === undefined ? DEFAULT_WAIT_MS : actionTimeoutMs + REPLY_SLACK_MS;
}

/** One action call as the HTTP API makes it. */
export interface ActionCall {
  integration: string;
  userId: string;
  action: string;
  input: Record<string, unknown>;
  idempotencyKey?: string | undefined;
  /** How long to wait for the reply: the action's time limit and some slack. */
  timeoutMs: number;
}

/**
 * The HTTP API's way to its workers: it runs no action itself (an API-only process has no runner). A synchronous
 * call is the very `triggerAction` request @nangohq/node-client sends (the client itself, with its direct reply-to,
 * deadline header and reconnection), so it meets the same runner, limits and idempotency on a worker. An async
 * call only publishes `{ id }` persistent, with a publisher confirm, on `<queue>.async`: the row in the store is
 * what holds it, and a worker's sweep runs it even when this publish is lost.
 */
export class ActionDispatcher {
  private client: Nango | undefined;
  private publisher: amqp.RecoveringChannelModel | undefined;
  private channel: amqp.ConfirmChannel | undefined;
  private closed = false;
  private readonly connecting: Promise<void>[] = [];
  /** Wakes the connect loops' waits when the dispatcher closes. */
  private readonly reconnectWait = new ReconnectWait();

  constructor(private readonly options: ActionDispatcherOptions) {}

  /**
   * Connects both in the background, trying again until it succeeds: the API serves its other routes without a
   * broker, and /action routes answer `not_connected` (503) until the broker is reached. Once connected, both
   * connections reconnect by themselves.
   */
  start(): void {
    this.connecting.push(this.keepTrying('requests', () => this.connectClient()));
    this.connecting.push(this.keepTrying('async actions', () => this.connectPublisher()));
  }

  /**
   * The names of this dispatcher's broker links that are down right now (empty when both are up): `action calls`
   * (the client /action calls go through) and `async action publisher`. For GET /health/ready.
   */
  linksDown(): string[] {
    const down: string[] = [];
    if (!this.client?.connected) down.push('action calls');
    if (!this.channel) down.push('async action publisher');
    return down;
  }

  /** Resolves once both connections are up (tests and the benchmark wait for it). */
  async ready(): Promise<void> {
    await Promise.all(this.connecting);
  }

  private async keepTrying(name: string, connect: () => Promise<void>): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await connect();
        return;
      } catch (error) {
        if (attempt === 0) {
          this.options.logger.warn(
            { err: error, connection: name },
            'the HTTP API cannot reach the broker yet; /action routes answer 503 until it does',
          );
        }
        await this.reconnectWait.after(attempt);
      }
    }
  }

  /** Gives a call made right after start a moment to find the broker connected. */
  private async settled(): Promise<void> {
    if (this.client && this.channel) return;
    await Promise.race([this.ready(), this.reconnectWait.for(CONNECT_WAIT_MS)]);
  }

  private async connectClient(): Promise<void> {
    const { rabbitmqUrl, queue } = this.options;
    const client = new Nango({
      url: splitBrokerUrls(rabbitmqUrl),
      queue,
      connectionName: `nango-server ${process.pid} http actions`,
    });
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    if (this.closed) await client.close().catch(() => undefined);
    else this.client = client;
  }

  private async connectPublisher(): Promise<void> {
    const { rabbitmqUrl: url, logger, queue, queueType } = this.options;
    const publisher = await connectBroker({
      url,
      name: 'async action publisher',
      retries: 0,
      logger,
      setup: async (model) => {
        const channel = await model.createConfirmChannel();
        channel.on('error', (error: Error) => logger.warn({ err: error }, 'async action publisher channel error'));
        channel.on('close', () => {
          if (this.channel === channel) this.channel = undefined;
        });
        await declareAsyncActionQueue(channel, queue, queueType);
        await declareProviderWebhookQueue(channel, queue, queueType);
        this.channel = channel;
      },
    });
    if (this.closed) await publisher.close().catch(() => undefined);
    else this.publisher = publisher;
  }

  /**
   * Runs an action on a worker and resolves to its output, with the id of the run's operation when the worker sent
   * one.
   * @throws WorkerError with the worker's code (`unknown_action`, `action_failed`, ...) or the transport's
   *   (`timeout`, `connection_lost`, `connection_failed`, ...); the worker's carry the run's `operationId`
   */
  async trigger(call: ActionCall): Promise<{ output: unknown; operationId: string | undefined }> {
    await this.settled();
    // connection_failed, not not_connected (a caller's mistake, never retried): the broker is not reached yet, and a
    // retry a little later is what the caller should do.
    if (!this.client) {
      throw new WorkerError('connection_failed', 'The HTTP API has not reached the broker yet; try again shortly');
    }
    try {
      const reply = await this.client.triggerAction(call.integration, call.action, call.userId, call.input, {
        timeoutMs: call.timeoutMs,
        ...(call.idempotencyKey !== undefined && { idempotencyKey: call.idempotencyKey }),
      });
      return { output: reply.returnValue, operationId: reply.operationId };
    } catch (error) {
      if (error instanceof NangoError) {
        const { operationId, payload } = error;
        throw new WorkerError(error.code, error.errorMsg, {
          cause: error,
          ...(operationId && { operationId }),
          ...(payload !== undefined && { payload }),
        });
      }
      throw error;
    }
  }

  /**
   * Publishes the run of a stored async action; false when it could not (no channel, refused): the sweep of a
   * worker runs it later all the same.
   */
  async publishAsync(id: string): Promise<boolean> {
    await this.settled();
    const channel = this.channel;
    if (!channel) return false;
    const name = asyncActionQueue(this.options.queue);
    try {
      // The trace context rides along, so the run on a worker continues the request's trace.
      await inPublishSpan(
        name,
        (headers) =>
          new Promise<void>((resolve, reject) =>
            channel.sendToQueue(
              name,
              Buffer.from(JSON.stringify({ id })),
              { persistent: true, contentType: 'application/json', ...(headers && { headers }) },
              (error) => (error ? reject(error as Error) : resolve()),
            ),
          ),
      );
      return true;
    } catch (error) {
      this.options.logger.warn(
        { err: error, asyncActionId: id },
        'could not publish an async action; a worker sweep will run it',
      );
      return false;
    }
  }

  /**
   * Queues a provider webhook for the workers, persistent, and resolves once the broker confirmed it: only then may
   * the provider be told it was received.
   * @throws WorkerError `connection_failed` when the broker is not reached or refused it (the provider retries)
   */
  async publishWebhook(message: ProviderWebhookMessage): Promise<void> {
    await this.settled();
    const channel = this.channel;
    if (!channel)
      throw new WorkerError('connection_failed', 'The HTTP API has not reached the broker; the webhook was not queued');
    const name = providerWebhookQueue(this.options.queue);
    try {
      await inPublishSpan(
        name,
        (headers) =>
          new Promise<void>((resolve, reject) =>
            channel.sendToQueue(
              name,
              Buffer.from(JSON.stringify(message)),
              { persistent: true, contentType: 'application/json', ...(headers && { headers }) },
              (error) => (error ? reject(error as Error) : resolve()),
            ),
          ),
      );
    } catch (error) {
      throw new WorkerError('connection_failed', 'The broker did not take the webhook; it was not queued', { cause: error });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reconnectWait.wakeAll();
    await this.ready();
    await this.client?.close().catch(() => undefined);
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
    await this.publisher?.close().catch(() => undefined);
  }
}
