import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logger';
import { NO_OPERATIONS, type OperationHandle, type OperationLog } from '../operationLog/OperationLog';
import type { AttemptOutcome, WebhookDelivery, WebhookStore } from '../store/WebhookStore';
import { attemptDelivery, type AttemptSettings } from './attemptDelivery';

/** How long delivered webhooks stay in the delivery log. Failed ones stay until replayed (or deleted by hand). */
export const DELIVERED_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

/** How often a deliverer deletes delivered webhooks older than DELIVERED_KEPT_MS. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Options of a deliverer; tests shorten the poll. */
export interface DelivererOptions extends AttemptSettings {
  /** Longest sleep between two looks at the outbox (another process may have stored deliveries). Default: 1000 ms */
  pollMs?: number;
  /** Most deliveries sent at the same time by this process. Default: 8 */
  maxInFlight?: number;
}

/**
 * Sends what the outbox holds, from any process that has the store: due deliveries are leased (see WebhookStore)
 * for the time limit of one attempt plus a margin, so processes sharing the database never send the same one at the
 * same time, and one that dies mid-send leaves a lease that ends, after which another sends it again. Delivery is
 * at least once: a receiver may see a webhook again after a crash or a stop in the middle of its POST. Each attempt
 * is a `webhook` operation (see attemptOperation).
 */
export class WebhookDeliverer {
  /** Whose leases these are: unique per deliverer, so a restarted process never finishes its predecessor's rows. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly pollMs: number;
  private readonly maxInFlight: number;
  private readonly leaseMs: number;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private lastPruned = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: WebhookStore,
    private readonly options: DelivererOptions,
    private readonly logger: Logger,
    /** Where each attempt is recorded as a `webhook` operation. */
    private readonly log: OperationLog = NO_OPERATIONS,
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 8;
    this.leaseMs = options.timeoutMs + 15_000;
  }

  /** Starts sending. */
  start(): void {
    if (this.loop || this.stopping) return;
    this.loop = this.run();
  }

  /** Looks at the outbox now rather than at the next poll (something was just stored). */
  poke(): void {
    this.wake?.();
  }

  /**
   * Stops: POSTs in flight are interrupted and their deliveries handed back (due at once, the attempt not
   * counted), so the next process to start sends them. Safe to call twice.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    for (const { abort } of this.inFlight.values()) abort.abort();
    await this.loop;
    for (const { abort } of this.inFlight.values()) abort.abort(); // claimed while the loop was ending
    await Promise.all([...this.inFlight.values()].map(({ done }) => done));
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let waitMs = this.pollMs;
      try {
        if (Date.now() - this.lastPruned >= PRUNE_EVERY_MS) {
          this.lastPruned = Date.now();
          await this.store.pruneDelivered(Date.now() - DELIVERED_KEPT_MS);
        }
        const free = this.maxInFlight - this.inFlight.size;
        const next = free > 0 ? await this.store.nextDue() : undefined;
        if (next !== undefined && next <= Date.now()) {
          const claimed = await this.store.claim(this.owner, this.leaseMs, free);
          for (const delivery of claimed) this.send(delivery);
          if (claimed.length > 0) continue;
        }
        if (next !== undefined) waitMs = Math.min(Math.max(next - Date.now(), 0), this.pollMs);
        if (next !== undefined && waitMs === 0) waitMs = 50; // due but leased by a sibling, or claimed by it just now
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'webhook outbox unreadable; trying again shortly');
      }
      if (!this.stopping) await this.sleep(waitMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private send(delivery: WebhookDelivery): void {
    const abort = new AbortController();
    const done = this.deliver(delivery, abort).finally(() => {
      this.inFlight.delete(delivery.id);
      this.poke(); // a slot is free
    });
    this.inFlight.set(delivery.id, { abort, done });
  }

  private async deliver(delivery: WebhookDelivery, abort: AbortController): Promise<void> {
    const fields = { delivery: delivery.id, type: delivery.type, host: hostOf(delivery.url), attempt: delivery.attempts };
    const operation = attemptOperation(this.log, delivery, fields);
    try {
      const outcome = await attemptDelivery(delivery, this.options, abort.signal);
      if (abort.signal.aborted) {
        operation.end('cancelled', {
          code: 'sender_stopping',
          message: 'the sender stopped mid-send; the delivery is sent again',
        });
        await this.store.release(delivery.id, this.owner);
        return;
      }
      endAttempt(operation, outcome, this.options.maxAttempts);
      if (!(await this.store.finish(delivery.id, this.owner, outcome))) {
        this.logger.warn(fields, 'webhook lease lost before its outcome was stored; another process sends it again');
        return;
      }
      if (outcome.kind === 'delivered') this.logger.debug({ ...fields, status: outcome.status }, 'webhook delivered');
      else if (outcome.kind === 'retry') {
        const next = new Date(outcome.nextAttemptAt).toISOString();
        this.logger.warn({ ...fields, status: outcome.status, reason: outcome.error, next }, 'webhook not delivered; will retry');
      } else {
        this.logger.error(
          { ...fields, status: outcome.status, reason: outcome.error },
          'webhook delivery failed; it stays in the delivery log, replayable',
        );
      }
    } catch (error) {
      // The outcome could not be stored: the lease ends and the delivery is sent again.
      this.logger.warn({ ...fields, err: (error as Error).message }, 'webhook outcome not stored; it will be sent again');
      operation.message('warn', 'its outcome could not be stored: the delivery is sent again');
      operation.end('failed', { code: 'storage_error', message: 'the outcome of the attempt could not be stored' });
    }
  }
}

/**
 * The `webhook` operation of one attempt: named after the webhook's type, for the integration and Connection its
 * body names; fields `delivery` (its id), `host` (of the URL, never the URL itself: its path or query may hold a
 * token), `attempt` and, once answered, `status`.
 */
function attemptOperation(
  log: OperationLog,
  delivery: WebhookDelivery,
  fields: { delivery: string; type: string; host: string; attempt: number },
): OperationHandle {
  const about = log === NO_OPERATIONS ? {} : aboutOf(delivery.body);
  return log.start({
    kind: 'webhook',
    name: delivery.type,
    ...about,
    fields: { delivery: fields.delivery, host: fields.host, attempt: fields.attempt },
  });
}

/** Ends an attempt's operation: delivered is `success`; anything else `failed` (`timed_out` past the time limit). */
function endAttempt(operation: OperationHandle, outcome: AttemptOutcome, maxAttempts: number): void {
  if (outcome.status !== null) operation.set({ status: outcome.status });
  if (outcome.kind === 'delivered') {
    operation.end('success');
    return;
  }
  const retried = outcome.kind === 'retry';
  operation.set({ willRetry: retried, maxAttempts });
  if (retried) operation.message('info', `sent again at ${new Date(outcome.nextAttemptAt).toISOString()}`);
  const code =
    outcome.status !== null
      ? `http_${outcome.status}`
      : outcome.error.startsWith('timed out')
        ? 'webhook_timeout'
        : 'network_error';
  operation.end(code === 'webhook_timeout' ? 'timed_out' : 'failed', { code, message: outcome.error });
}

/** The integration and Connection a webhook body names (every body has them); nothing when it does not parse. */
function aboutOf(body: string): { integration?: string; connectionId?: string } {
  try {
    const parsed = JSON.parse(body) as { providerConfigKey?: unknown; connectionId?: unknown };
    return {
      ...(typeof parsed.providerConfigKey === 'string' && { integration: parsed.providerConfigKey }),
      ...(typeof parsed.connectionId === 'string' && { connectionId: parsed.connectionId }),
    };
  } catch {
    return {};
  }
}

/** The host of a URL, for logs: the full URL may carry a token in its path or query. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}
