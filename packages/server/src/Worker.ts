import * as amqp from 'amqplib';
import { ActionLoader } from './actions/ActionLoader';
import { ActionRunner } from './actions/ActionRunner';
import { ConfigError, loadIntegrationsConfig } from './config/loadIntegrationsConfig';
import type { IntegrationsConfig } from './config/types';
import type { HandlerContext } from './handlers';
import { createLogger, type Logger } from './logger';
import { RequestConsumer } from './rpc/RequestConsumer';
import { resolveWorkerSettings, type WorkerSettings } from './settings';
import { ConnectionStore } from './store/ConnectionStore';
import { watchIntegrations } from './watchIntegrations';

/** What Worker.start takes: settings (missing ones come from the environment) and an optional logger. */
export interface WorkerStartOptions extends Partial<WorkerSettings> {
  logger?: Logger;
}

/**
 * The worker: loads integrations.yaml, opens the database, connects to RabbitMQ (reconnecting on its own
 * after a broker restart) and answers requests until stopped.
 */
export class Worker {
  private consumer: RequestConsumer | undefined;
  private stopping = false;

  private constructor(
    readonly settings: WorkerSettings,
    readonly logger: Logger,
    private readonly store: ConnectionStore,
    private readonly loader: ActionLoader,
    private config: IntegrationsConfig,
    private connection: amqp.RecoveringChannelModel | undefined = undefined,
    private stopWatching: (() => Promise<void>) | undefined = undefined,
  ) {}

  /**
   * Starts a worker and resolves once it consumes requests.
   * @throws ConfigError for a bad integrations.yaml; an Error when the broker stays unreachable
   */
  static async start(options: WorkerStartOptions = {}): Promise<Worker> {
    const { logger: givenLogger, ...overrides } = options;
    const settings = resolveWorkerSettings(process.env, overrides);
    const logger = givenLogger ?? createLogger(settings.logLevel);
    process.setSourceMapsEnabled(true); // action stack traces point at the .ts lines
    const config = loadIntegrationsConfig({ yamlPath: settings.integrationsYaml, integrationsDir: settings.integrationsDir });
    const store = new ConnectionStore(settings.dbPath);
    const worker = new Worker(settings, logger, store, new ActionLoader(), config);
    try {
      await worker.connect();
      if (settings.watch) {
        worker.stopWatching = await watchIntegrations(
          [settings.integrationsYaml, settings.integrationsDir],
          () => worker.reload(),
          logger,
        );
      }
    } catch (error) {
      await worker.stop();
      throw error;
    }
    logger.info(
      {
        queue: settings.queue,
        integrations: config.integrations.size,
        db: settings.dbPath,
        watch: settings.watch,
        prefetch: settings.prefetch,
      },
      'nango worker ready',
    );
    logger.flush(); // whoever waits for this line should not wait for the log buffer to fill
    return worker;
  }

  /** Stops consuming, lets requests in flight finish (within the grace period), then closes everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.stopWatching?.();
    await this.consumer?.stop(this.settings.shutdownGraceMs);
    await this.connection?.close().catch(() => undefined);
    this.store.close();
    this.logger.info('nango worker stopped');
    this.logger.flush();
  }

  /** Requests being handled right now. */
  get inFlightCount(): number {
    return this.consumer?.inFlightCount ?? 0;
  }

  private async connect(): Promise<void> {
    const context: HandlerContext = {
      store: this.store,
      runner: new ActionRunner(this.loader, this.logger),
      integrations: () => this.config,
    };
    const connection = await amqp
      .connect(this.settings.rabbitmqUrl, {
        noDelay: true,
        clientProperties: { connection_name: `nango-worker ${process.pid}` },
        recovery: {
          initialMaxRetries: this.settings.connectRetries,
          maxDelay: 5_000,
          // Runs on the first connection and after every reconnect: a fresh channel and consumer each time.
          setup: async (model: amqp.ChannelModel) => {
            const channel = await model.createChannel();
            channel.on('error', (error: Error) => this.logger.error({ err: error }, 'channel error'));
            channel.on('close', () => {
              // A channel can die while its connection lives on; closing the connection makes recovery rebuild both.
              if (!this.stopping) void model.close().catch(() => undefined);
            });
            const consumer = new RequestConsumer(channel, context, this.logger);
            await consumer.start(this.settings.queue, this.settings.prefetch);
            this.consumer = consumer;
          },
        },
      })
      .catch((error: unknown) => {
        throw new Error(
          `Could not connect to RabbitMQ at ${redact(this.settings.rabbitmqUrl)}: ${(error as Error).message}. ` +
            'Start it (docker compose up -d rabbitmq) or set NANGO_RABBITMQ_URL.',
          { cause: error },
        );
      });
    connection.on('disconnect', (error: Error) => {
      if (!this.stopping) this.logger.warn({ err: error }, 'lost the broker connection; reconnecting');
    });
    connection.on('connect', () => this.logger.info('connected to the broker'));
    connection.on('reconnect-failed', (error: Error) => this.logger.error({ err: error }, 'gave up reconnecting to the broker'));
    connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'broker connection error'));
    this.connection = connection;
  }

  /** Re-reads integrations.yaml and forgets compiled actions; a bad file keeps the last good configuration. */
  private reload(): void {
    this.loader.invalidateAll();
    try {
      this.config = loadIntegrationsConfig({
        yamlPath: this.settings.integrationsYaml,
        integrationsDir: this.settings.integrationsDir,
      });
      this.logger.info({ integrations: this.config.integrations.size }, 'integrations reloaded');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.logger.error({ problems: error.problems }, 'integrations.yaml has problems; keeping the previous configuration');
    }
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
