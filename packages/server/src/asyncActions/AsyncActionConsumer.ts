import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { ERROR_CODES, type TriggerActionMessage } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import type { OperationContext } from '../operations/OperationContext';
import { triggerAction } from '../operations/triggerAction';
import type { Logger } from '../logger';
import type { AsyncActionStore, ClaimedAsyncAction } from '../store/AsyncActionStore';
import type { StoredOutcome } from '../store/Store';
import {
  ASYNC_LEASE_MS,
  ASYNC_QUEUED_GRACE_MS,
  ASYNC_RERUNS_AFTER_CRASH,
  ASYNC_SWEEP_MS,
  declareAsyncActionQueue,
  statusUrlOf,
} from './asyncActionQueue';
import { inProcessSpan } from '../tracing/inProcessSpan';

/** How often a worker deletes the async actions past their time (it also does at start). */
const PRUNE_EVERY_MS = 10 * 60_000;

/** Timings, all overridable so that tests need not wait for production ones. */
export interface AsyncActionTimings {
  /** Default: ASYNC_LEASE_MS. */
  leaseMs?: number;
  /** Default: ASYNC_SWEEP_MS. */
  sweepMs?: number;
  /** Default: ASYNC_QUEUED_GRACE_MS. */
  queuedGraceMs?: number;
  /** Wait before a retry of a retryable failure. Default: 1000 ms, doubled per retry. */
  retryDelayMs?: number;
}

export interface AsyncActionConsumerOptions {
  context: OperationContext;
  store: AsyncActionStore;
  logger: Logger;
  queue: string;
  queueType: 'classic' | 'quorum';
  /** Async runs a worker takes from the queue at once (its action concurrency). */
  prefetch: number;
  /** How long an outcome is kept (NANGO_ASYNC_ACTION_TTL_S). */
  ttlMs: number;
  timings?: AsyncActionTimings;
}

/**
 * Runs async actions on a worker. A message on `<queue>.async` names a row of the store; the worker claims it
 * (a conditional update, so two workers never run it at once), runs the action as a triggerAction would (same
 * runner, limits, input check and idempotency key), retries retryable failures up to the row's max retries, keeps
 * the outcome and sends the `async_action` webhook. A sweep takes the rows nobody holds: queued ones whose message
 * was lost, running ones whose worker died (run again, at most ASYNC_RERUNS_AFTER_CRASH times past the retries).
 * A worker that stops gives its runs back (queued again, their message requeued) so that another one runs them.
 */
export class AsyncActionConsumer {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private stopping = false;
  private lastPruned = Date.now();
  private readonly active = new Set<Promise<unknown>>();
  private readonly timings: Required<AsyncActionTimings>;

  constructor(private readonly options: AsyncActionConsumerOptions) {
    this.timings = {
      leaseMs: ASYNC_LEASE_MS,
      sweepMs: ASYNC_SWEEP_MS,
      queuedGraceMs: ASYNC_QUEUED_GRACE_MS,
      retryDelayMs: 1_000,
      ...options.timings,
    };
  }

  /** Recovery setup of its broker connection: a channel consuming the async queue, on every new connection. */
  readonly setup = async (model: ChannelModel): Promise<void> => {
    if (this.stopping) throw new Error('the worker is stopping');
    const { queue, queueType, prefetch, logger } = this.options;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => logger.warn({ err: error }, 'async action channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      if (!this.stopping) void model.close().catch(() => undefined);
    });
    const name = await declareAsyncActionQueue(channel, queue, queueType);
    await channel.prefetch(prefetch);
    this.channel = channel;
    const { consumerTag } = await channel.consume(name, (msg) => this.onMessage(channel, msg));
    this.consumerTag = consumerTag;
    this.sweeper ??= setInterval(() => void this.sweep(), this.timings.sweepMs);
  };

  /** Stops taking runs; those going on finish (or are given back when the runner stops them). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweeper);
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (tag !== undefined) await this.channel?.cancel(tag).catch(() => undefined);
  }

  /** Resolves when no run is going on, or after `graceMs`. */
  async waitIdle(graceMs: number): Promise<void> {
    if (this.active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.active]), grace]);
    clearTimeout(timer);
  }

  /** Closes the channel: what is still unacked goes back to the queue. */
  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private onMessage(channel: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      void channel.close().catch(() => undefined); // cancelled by the broker: reconnecting declares the queue again
      return;
    }
    const id = idOf(msg.content);
    if (id === undefined) {
      this.options.logger.warn({ bytes: msg.content.length }, 'unreadable async action message dropped');
      channel.ack(msg);
      return;
    }
    // In the trace of the request that queued it, when its message carries one.
    void this.track(inProcessSpan(msg, () => this.take(id))).then((settlement) => {
      try {
        if (settlement === 'ack') channel.ack(msg);
        else channel.nack(msg, false, true);
      } catch {
        // A closed channel: the broker redelivers the message, and the claim tells whether to run it.
      }
    });
  }

  /** Picks up the rows nobody holds. */
  private async sweep(): Promise<void> {
    if (this.stopping) return;
    const now = Date.now();
    try {
      const ids = await this.options.store.stranded(now, now - this.timings.queuedGraceMs, this.options.prefetch);
      for (const id of ids) void this.track(this.take(id));
      // Expired rows are never answered (status checks expires_at); deleting them now and then keeps the table small.
      if (now - this.lastPruned >= PRUNE_EVERY_MS) {
        this.lastPruned = now;
        await this.options.store.prune(now);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not look for stranded async actions');
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.active.add(work);
    void work.finally(() => this.active.delete(work)).catch(() => undefined);
    return work;
  }

  /** Claims and runs one row; 'requeue' when this worker gave it back. Never throws. */
  private async take(id: string): Promise<'ack' | 'requeue'> {
    const { store, logger } = this.options;
    let claimed: ClaimedAsyncAction | undefined;
    try {
      const now = Date.now();
      claimed = await store.claim(id, now, now + this.timings.leaseMs);
    } catch (error) {
      logger.warn({ err: error, asyncActionId: id }, 'could not claim an async action; it goes back to the queue');
      return 'requeue';
    }
    if (!claimed) return 'ack'; // running elsewhere, ended, expired or unknown
    const renewal = setInterval(
      () => void store.renew(id, Date.now() + this.timings.leaseMs).catch(() => undefined),
      Math.max(1, Math.floor(this.timings.leaseMs / 3)),
    );
    try {
      const outcome = await this.run(claimed);
      if (outcome === 'given back') {
        await store.requeue(id, Date.now(), true);
        return 'requeue';
      }
      await store.finish(id, outcome, Date.now(), Date.now() + this.options.ttlMs);
      await this.notify(claimed);
      return 'ack';
    } catch (error) {
      // The store failed: the lease lapses and a sweep (here or elsewhere) takes the row again.
      logger.error({ err: error, asyncActionId: id }, 'could not keep the outcome of an async action');
      return 'ack';
    } finally {
      clearInterval(renewal);
    }
  }

  /** Runs a claimed call, retrying retryable failures; 'given back' when the worker stopped under it. */
  private async run(call: ClaimedAsyncAction): Promise<StoredOutcome | 'given back'> {
    const { context, logger } = this.options;
    const previousRuns = call.attempts - 1;
    const fields = { async: true, asyncActionId: call.id };
    if (previousRuns > call.maxRetries + ASYNC_RERUNS_AFTER_CRASH) {
      const message = `The async action was started ${previousRuns} times by workers that stopped before it finished; it is not run again`;
      const where = { integration: call.integration, connectionId: call.userId };
      context.log
        .start({ kind: 'action', name: call.action, ...where, fields })
        .end('failed', { code: 'action_outcome_unknown', message });
      return { ok: false, code: 'action_outcome_unknown', message };
    }
    const message: TriggerActionMessage = {
      type: 'triggerAction',
      integration: call.integration,
      action: call.action,
      userId: call.userId,
      input: call.input,
      ...(call.idempotencyKey !== undefined && { idempotencyKey: call.idempotencyKey }),
    };
    // Each attempt is an operation of its own; the retries point at the first one.
    let firstOperation: string | undefined;
    let lastCode = '';
    for (let retry = 0; ; retry++) {
      try {
        const options =
          retry === 0
            ? { fields }
            : {
                fields: { ...fields, retry },
                parentId: firstOperation,
                retry: { number: retry, of: call.maxRetries, after: lastCode },
              };
        const result = await triggerAction(context, message, options);
        return { ok: true, json: result.json };
      } catch (error) {
        if (this.stopping) return 'given back';
        const failure = asWorkerError(error);
        firstOperation ??= failure.operationId;
        lastCode = failure.code;
        if (failure.code === 'internal_error') logger.error({ err: error, asyncActionId: call.id }, 'async action failed');
        if (!ERROR_CODES[failure.code].retryable || retry >= call.maxRetries) {
          return { ok: false, code: failure.code, message: failure.message };
        }
        logger.info({ asyncActionId: call.id, code: failure.code, retry: retry + 1 }, 'async action failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, this.timings.retryDelayMs * 2 ** retry));
        if (this.stopping) return 'given back';
      }
    }
  }

  private async notify(call: ClaimedAsyncAction): Promise<void> {
    const { context, logger } = this.options;
    try {
      await context.webhooks.enqueue({
        from: 'nango',
        type: 'async_action',
        connectionId: call.userId,
        providerConfigKey: call.integration,
        payload: { id: call.id, statusUrl: statusUrlOf(call.id) },
      });
    } catch (error) {
      logger.error({ err: error, asyncActionId: call.id }, 'could not enqueue the async action webhook');
    }
  }
}

function idOf(content: Buffer): string | undefined {
  try {
    const id = (JSON.parse(content.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}

function asWorkerError(error: unknown): WorkerError {
  return error instanceof WorkerError ? error : new WorkerError('internal_error', 'The action run failed inside the worker');
}
