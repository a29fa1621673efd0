import type * as amqp from 'amqplib';
import { ActionLoader } from './actions/ActionLoader';
import { ActionRunner } from './actions/ActionRunner';
import { loadIntegrationsConfig } from './config/loadIntegrationsConfig';
import type { IntegrationsConfig } from './config/types';
import type { HandlerContext } from './handlers';
import { createLogger, type Logger } from './logger';
import { connectBroker } from './rpc/connectBroker';
import { processRequest } from './rpc/processRequest';
import { ReplyPublisher } from './rpc/ReplyPublisher';
import { RequestConsumer } from './rpc/RequestConsumer';
import { Responder } from './rpc/Responder';
import { resolveWorkerSettings, storeTarget, type WorkerSettings } from './settings';
import { OAuth2Refresher } from './oauth/OAuth2Refresher';
import { openStore } from './store/openStore';
import type { Store } from './store/Store';
import { watchIntegrations } from './watchIntegrations';

/** Delivery counts older than this are forgotten: a request's deliveries happen within minutes, not days. */
const DELIVERY_COUNTS_KEPT_MS = 24 * 60 * 60 * 1000;

/** What Worker.start takes: settings (missing ones come from the environment) and an optional logger. */
export interface WorkerStartOptions extends Partial<WorkerSettings> {
  logger?: Logger;
}

/**
 * The worker: loads integrations.yaml, opens the database, consumes requests on one broker connection and
 * replies on another (both reconnect by themselves), until stopped.
 */
export class Worker {
  private readonly replies: ReplyPublisher;
  private readonly responder: Responder;
  private config: IntegrationsConfig;
  private consumer: RequestConsumer | undefined;
  private connections: amqp.RecoveringChannelModel[] = [];
  private stopWatching: (() => Promise<void>) | undefined;
  private stopped: Promise<void> | undefined;

  private constructor(
    readonly settings: WorkerSettings,
    readonly logger: Logger,
    private readonly store: Store,
    private readonly loader: ActionLoader,
  ) {
    this.config = this.loadConfig();
    const context: HandlerContext = {
      store: store.connections,
      runner: new ActionRunner(loader, logger, settings.maxConcurrentActions),
      idempotency: store.idempotency,
      refresher: new OAuth2Refresher(store.connections, store.refreshLocks, logger),
      idempotencyTtlMs: settings.idempotencyTtlSeconds * 1000,
      integrations: () => this.config,
    };
    this.replies = new ReplyPublisher(logger);
    const deliveries = settings.queueType === 'classic' ? store.deliveries : undefined;
    this.responder = new Responder({
      process: (content) => processRequest(context, content, logger),
      publish: this.replies.publish,
      logger,
      maxRequestBytes: settings.maxRequestBytes,
      maxReplyBytes: settings.maxReplyBytes,
      maxDeliveries: settings.maxDeliveries,
      ...(deliveries && { countDeliveries: (id: string) => deliveries.redelivered(id) }),
    });
  }

  /**
   * Starts a worker and resolves once it consumes requests.
   * @throws ConfigError for a bad integrations.yaml; an Error when the broker stays unreachable
   */
  static async start(options: WorkerStartOptions = {}): Promise<Worker> {
    const { logger: givenLogger, ...overrides } = options;
    const settings = resolveWorkerSettings(process.env, overrides);
    const logger = givenLogger ?? createLogger(settings.logLevel);
    process.setSourceMapsEnabled(true); // action stack traces point at the .ts lines
    const { store } = await openStore(process.env, storeTarget(settings), logger);
    let worker: Worker;
    try {
      // What the last run left: outcomes past their time, and counts of deliveries long over.
      await store.idempotency.prune();
      await store.deliveries.prune(Date.now() - DELIVERY_COUNTS_KEPT_MS);
      worker = new Worker(settings, logger, store, new ActionLoader());
    } catch (error) {
      await store.close();
      throw error;
    }
    try {
      await worker.connect();
      if (settings.watch) {
        const paths = [settings.integrationsYaml, settings.integrationsDir];
        worker.stopWatching = await watchIntegrations(paths, () => worker.reload(), logger);
      }
    } catch (error) {
      await worker.stop();
      throw error;
    }
    const { queue, queueType, watch, prefetch, maxConcurrentActions } = settings;
    const integrations = worker.config.integrations.size;
    const db = store.location;
    logger.info(
      { queue, queueType, integrations, store: store.kind, db, watch, prefetch, maxConcurrentActions },
      'nango worker ready',
    );
    logger.flush(); // whoever waits for this line should not wait for the log buffer to fill
    return worker;
  }

  /** Requests being answered right now. */
  get inFlightCount(): number {
    return this.responder.activeCount;
  }

  /**
   * Stops consuming, lets requests in flight finish and reply (within the grace period), then closes
   * everything. What is still unanswered goes back to the queue. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    await this.stopWatching?.();
    await this.consumer?.stop();
    await this.responder.waitIdle(this.settings.shutdownGraceMs);
    // Replies first, then acks, each channel closed (and confirmed) before any connection goes.
    await this.replies.close();
    await this.consumer?.close();
    for (const connection of this.connections) await connection.close().catch(() => undefined);
    await this.store.close();
    this.logger.info('nango worker stopped');
    this.logger.flush();
  }

  private async connect(): Promise<void> {
    const { rabbitmqUrl: url, connectRetries: retries } = this.settings;
    const logger = this.logger;
    this.connections.push(await connectBroker({ url, name: 'replies', retries, logger, setup: this.replies.setup }));
    this.connections.push(await connectBroker({ url, name: 'requests', retries, logger, setup: (model) => this.consume(model) }));
  }

  /** Recovery setup of the request connection: a fresh channel and consumer on every new connection. */
  private async consume(model: amqp.ChannelModel): Promise<void> {
    if (this.stopped) throw new Error('the worker is stopping');
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.logger.error({ err: error }, 'request channel error'));
    channel.on('close', () => {
      // A channel can die while its connection lives on; closing the connection makes recovery rebuild both.
      if (!this.stopped) void model.close().catch(() => undefined);
    });
    const consumer = new RequestConsumer(channel, this.responder, this.logger);
    const { queue, queueType, maxDeliveries, prefetch } = this.settings;
    await consumer.start({ queue, queueType, maxDeliveries }, prefetch);
    if (this.stopped) {
      // stop() came while this reconnect was setting up: take no requests it would not wait for.
      await consumer.stop();
      return;
    }
    this.consumer = consumer;
  }

  private loadConfig(): IntegrationsConfig {
    return loadIntegrationsConfig({ yamlPath: this.settings.integrationsYaml, integrationsDir: this.settings.integrationsDir });
  }

  /** Re-reads integrations.yaml and forgets compiled actions; a bad file keeps the last good configuration. */
  private reload(): void {
    this.loader.invalidateAll();
    try {
      this.config = this.loadConfig();
      this.logger.info({ integrations: this.config.integrations.size }, 'integrations reloaded');
    } catch (error) {
      const problems = (error as { problems?: unknown }).problems ?? [(error as Error).message];
      this.logger.error({ problems }, 'integrations.yaml could not be reloaded; keeping the previous configuration');
    }
  }
}
