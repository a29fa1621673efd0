import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { IntegrationsConfig } from '../config/types';
import { runSync, type RunContext, type RunEnd } from './runSync';
import { syncQueue } from '../broker/queueNames';
import { declareSyncQueue, parseRunMessage, type SyncRunMessage } from './syncQueue';

/** Most runs one tick claims: the rest wait for the next tick. */
const CLAIMS_PER_TICK = 100;
/** How long a stop waits for aborted runs to hand their leases back. */
const STOP_WAIT_MS = 10_000;
/** How often a pass looks at every Connection for auto_start syncs, not only the new ones. */
const RECONCILE_ALL_MS = 10 * 60_000;
/** How far back a pass looks for new Connections: clocks of other processes, and inserts not yet committed. */
const NEW_CONNECTION_MARGIN_MS = 60_000;

/** What the scheduler takes besides a run's context. */
export interface SchedulerOptions extends Omit<RunContext, 'owner'> {
  /** The request queue's name: run messages go to `<queue>.syncs`. */
  readonly queue: string;
  /** NANGO_QUEUE_TYPE, the type `<queue>.syncs` is declared with. Default: classic */
  readonly queueType?: 'classic' | 'quorum';
  /** NANGO_SYNC_TICK_MS. */
  readonly tickMs: number;
  /** NANGO_MAX_CONCURRENT_SYNCS: the prefetch of the run queue. */
  readonly maxConcurrent: number;
  /** The integrations as currently loaded (their syncs and `auto_start`). */
  integrations(): IntegrationsConfig;
  /** Called after each run (tests watch it). */
  onRunEnd?: (end: RunEnd, message: SyncRunMessage) => void;
}

/**
 * The sync scheduler of one worker process. Every tick it (a) schedules the `auto_start` syncs of Connections that
 * have none (one set-based insert per sync, so Connections from any door get them), (b) claims due runs with a
 * lease, including those whose lease expired (a worker died mid-run), and publishes a persistent message per run to
 * `<queue>.syncs`. Every worker consumes that queue (prefetch NANGO_MAX_CONCURRENT_SYNCS) and runs what it gets
 * (see runSync). Its broker connection is its own, set up again on every reconnect.
 */
export class SyncScheduler {
  /** This process's id as a lease owner. */
  readonly owner = `${process.pid}-${randomUUID()}`;
  private publisher: ConfirmChannel | undefined;
  private consumer: Channel | undefined;
  private consumerTag: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly running = new Set<Promise<unknown>>();
  /**
   * Deliveries past NANGO_MAX_CONCURRENT_SYNCS: the prefetch bounds runs per channel, but runs of a channel lost to a
   * reconnect go on beside the new channel's, so a delivery waits here for a free slot.
   */
  private readonly waiting: Array<() => void> = [];
  private readonly stopping = new AbortController();
  /** Per auto_start sync (`integration\nsync`): when the last pass looked for new Connections, and looked at all. */
  private readonly lastLook = new Map<string, { at: number; all: number }>();

  constructor(private readonly options: SchedulerOptions) {}

  /** Runs going on in this worker now. */
  get activeRuns(): number {
    return this.running.size;
  }

  /** Recovery setup of the scheduler's broker connection: the queue, a confirm channel to publish, a consumer. */
  readonly setup = async (model: ChannelModel): Promise<void> => {
    if (this.stopping.signal.aborted) throw new Error('the worker is stopping');
    const { queue, maxConcurrent, logger } = this.options;
    const watch = <T extends Channel>(channel: T, drop: () => void): T => {
      channel.on('error', (error: Error) => logger.warn({ err: error }, 'sync channel error'));
      channel.on('close', () => {
        drop();
        if (!this.stopping.signal.aborted) void model.close().catch(() => undefined);
      });
      return channel;
    };
    const publisher = await model.createConfirmChannel();
    watch(publisher, () => this.publisher === publisher && (this.publisher = undefined));
    await declareSyncQueue(publisher, queue, this.options.queueType ?? 'classic');
    const consumer = await model.createChannel();
    watch(consumer, () => this.consumer === consumer && (this.consumer = undefined));
    await consumer.prefetch(maxConcurrent);
    const { consumerTag } = await consumer.consume(syncQueue(queue), (msg) => this.onDelivery(consumer, msg));
    this.publisher = publisher;
    this.consumer = consumer;
    this.consumerTag = consumerTag;
    this.timer ??= setInterval(() => void this.tick(), this.options.tickMs);
  };

  /** One pass now (the timer calls it; tests may too). A pass still going is waited for, not doubled. */
  tick(): Promise<void> {
    this.ticking ??= this.pass().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /**
   * Stops ticking and consuming, aborts the runs in flight (each frees its lease, so another worker resumes it from
   * its checkpoint) and waits for them, then closes the channels.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    await this.ticking;
    const consumer = this.consumer;
    if (consumer && this.consumerTag !== undefined) await consumer.cancel(this.consumerTag).catch(() => undefined);
    await waitAtMost(Promise.allSettled([...this.running]), STOP_WAIT_MS);
    for (const channel of [this.consumer, this.publisher]) await channel?.close().catch(() => undefined);
    this.consumer = undefined;
    this.publisher = undefined;
  }

  /**
   * Schedules an auto_start sync for the Connections that have none: every Connection on the first pass and every
   * RECONCILE_ALL_MS (a safety net, for rows copied in with old creation times), otherwise only those created since
   * the last pass, less a margin for clocks and commits that lag. Each pass costs what the new Connections cost, not
   * what all of them do.
   */
  private async scheduleNewConnections(integration: string, sync: string): Promise<number> {
    const key = `${integration}\n${sync}`;
    const started = Date.now();
    const last = this.lastLook.get(key);
    const all = last === undefined || started - last.all >= RECONCILE_ALL_MS;
    const since = all ? undefined : new Date(last.at - NEW_CONNECTION_MARGIN_MS).toISOString();
    const created = await this.options.schedules.createMissing(integration, sync, started, since);
    this.lastLook.set(key, { at: started, all: all ? started : (last as { all: number }).all });
    return created;
  }

  private async pass(): Promise<void> {
    const { schedules, logger, leaseMs } = this.options;
    try {
      for (const integration of this.options.integrations().integrations.values()) {
        for (const sync of integration.syncs.values()) {
          if (!sync.autoStart) continue;
          const created = await this.scheduleNewConnections(integration.name, sync.name);
          if (created > 0) logger.info({ integration: integration.name, sync: sync.name, created }, 'syncs scheduled');
        }
      }
      const publisher = this.publisher;
      if (!publisher || this.stopping.signal.aborted) return; // no claims that could not be published
      const claims = await schedules.claimDue(this.owner, Date.now() + leaseMs, CLAIMS_PER_TICK);
      for (const claim of claims) {
        const content = Buffer.from(JSON.stringify({ id: claim.id, runId: claim.runId } satisfies SyncRunMessage));
        publisher.publish('', syncQueue(this.options.queue), content, { persistent: true, contentType: 'application/json' });
      }
      if (claims.length > 0) await publisher.waitForConfirms();
    } catch (error) {
      // A claim published or not: its lease expires and the next tick claims it again.
      logger.warn({ err: error }, 'the sync scheduler tick failed; retrying on the next one');
    }
  }

  private onDelivery(channel: Channel, msg: ConsumeMessage | null): void {
    if (!msg) {
      this.options.logger.error('the broker cancelled the sync run consumer; reconnecting');
      void channel.close().catch(() => undefined);
      return;
    }
    const message = parseRunMessage(msg.content);
    if (!message) {
      this.options.logger.warn('dropped a sync run message that is not one');
      ackQuietly(channel, msg);
      return;
    }
    if (this.running.size >= this.options.maxConcurrent) {
      this.waiting.push(() => this.onDelivery(channel, msg));
      return;
    }
    const context: RunContext = { ...this.options, owner: this.owner };
    const run = runSync(context, message.id, message.runId, this.stopping.signal)
      .catch((error: unknown): RunEnd => {
        // The lease expires and the run is claimed again: nothing is lost by dropping this message.
        this.options.logger.error({ err: error, schedule: message.id }, 'a sync run could not be run or recorded');
        return 'lost';
      })
      .then((end) => {
        ackQuietly(channel, msg);
        this.options.onRunEnd?.(end, message);
      });
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      if (!this.stopping.signal.aborted) this.waiting.shift()?.();
    });
  }
}

/** Acks on a channel that may have closed: the message is then redelivered and dropped as already started. */
function ackQuietly(channel: Channel, msg: ConsumeMessage): void {
  try {
    channel.ack(msg);
  } catch {
    // closed: see above
  }
}

async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
