import { checkCatalogTemplates } from './config/compileTwoStep';
import type * as amqp from 'amqplib';
import { allowLocalMcpServers, allowPrivateHostsForUserHosts, closeUserHostConnections } from './net/addressGuard';
import { ActionLoader } from './actions/ActionLoader';
import { ActionLogRedactor } from './actions/ActionLogRedactor';
import { ActionRunner } from './actions/ActionRunner';
import { DeployedFunctions } from './actions/DeployedFunctions';
import { RateLimitGate } from './ratelimits/RateLimitGate';
import { loadIntegrationsConfig } from './config/loadIntegrationsConfig';
import type { IntegrationsConfig } from './config/types';
import type { OperationContext } from './operations/OperationContext';
import { functionHost } from './operations/functionHost';
import { requireIntegration } from './operations/OperationContext';
import { triggerAction } from './operations/triggerAction';
import { DeployedSyncs } from './syncs/DeployedSyncs';
import { createLogger, type Logger } from './logger';
import { NO_OPERATIONS, type OperationLog } from './operationLog/OperationLog';
import { LogRetention } from './operationLog/LogRetention';
import { RemovedSyncSweep } from './syncs/RemovedSyncSweep';
import { StoredOperationLog } from './operationLog/StoredOperationLog';
import { WorkerMetrics } from './metrics/WorkerMetrics';
import { QUEUE_CACHE_MS, QueueProbe } from './metrics/QueueProbe';
import { listenMetrics, type MetricsListener } from './api/listenMetrics';
import { connectBroker } from './broker/connectBroker';
import { watchLink, type LinkWatch } from './broker/watchLink';
import { apiLinksDown, checkReadiness, type Readiness } from './api/readiness';
import { overflowQueue } from './broker/queueNames';
import { ActionOverflow } from './rpc/ActionOverflow';
import { processRequest } from './rpc/processRequest';
import { ReplyPublisher } from './rpc/ReplyPublisher';
import { RequestConsumer } from './rpc/RequestConsumer';
import { Responder } from './rpc/Responder';
import { resolveWorkerSettings, storeTarget, type WorkerSettings } from './settings';
import { BackgroundRefresh } from './refresh/BackgroundRefresh';
import { CredentialRefresher } from './refresh/CredentialRefresher';
import { openStore } from './store/openStore';
import type { Store } from './store/Store';
import { watchIntegrations } from './watchIntegrations';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './api/ApiContext';
import { buildApi } from './api/buildApi';
import { BUILT_DASHBOARD_DIR } from './api/dashboard/DashboardSettings';
import { FlowResultRelay } from './api/FlowResultRelay';
import { WsClients } from './api/WsClients';
import type { Webhooks } from './webhooks/Webhooks';
import { WebhookOutbox } from './webhooks/WebhookOutbox';
import { ActionDispatcher } from './api/ActionDispatcher';
import { OnEventConsumer } from './onEvents/OnEventConsumer';
import { OnEventPublisher } from './onEvents/OnEventPublisher';
import { AsyncActionConsumer, type AsyncActionTimings } from './asyncActions/AsyncActionConsumer';
import { ProviderWebhookConsumer } from './inbound/ProviderWebhookConsumer';
import { webhookBaseOf } from './providerWebhooks/webhookUrl';
import { SyncWebhookHandlers } from './syncs/SyncWebhookHandlers';
import { SandboxSyncExecutor } from './syncs/SandboxSyncExecutor';
import type { SyncExecutor } from './syncs/SyncExecutor';
import { SyncScheduler } from './syncs/SyncScheduler';
import { IntegrationRegistry } from './integrations/IntegrationRegistry';
import type { ProviderCatalog } from './providers/Provider';
import { loadProviderCatalog } from './providers/loadProviderCatalog';
import type { Tracing } from './tracing/startTracing';
import { withStoreSpans } from './tracing/withStoreSpans';
import { withTraceIds } from './tracing/withTraceIds';

/**
 * The OpenTelemetry SDK (exporters, protobuf, resources: some 150 modules) is loaded only when tracing is on, an OTLP
 * endpoint set: without one it would only lengthen every start (docs/performance.md, start-up).
 */
const tracingSdk = () => require('./tracing/startTracing') as typeof import('./tracing/startTracing');

/** Time limit of each call to a provider's token and request-token endpoints during an OAuth flow. */
const PROVIDER_TIMEOUT_MS = 15_000;

/** Whether an address to listen on is loopback only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The parts one process runs: the RabbitMQ consumer (`worker`), the HTTP API (`api`), or both (the default). */
export interface WorkerRoles {
  readonly rpc: boolean;
  readonly http: boolean;
}

/** How long a stopping worker waits for the async runs its runner stopped to be given back. */
const ASYNC_GIVE_BACK_MS = 5_000;

/** Delivery counts older than this are forgotten: a request's deliveries happen within minutes, not days. */
const DELIVERY_COUNTS_KEPT_MS = 24 * 60 * 60 * 1000;

/** What Worker.start takes: settings (missing ones come from the environment) and an optional logger. */
export interface WorkerStartOptions extends Partial<WorkerSettings> {
  logger?: Logger;
  /** Default: both. */
  roles?: WorkerRoles;
  /** The providers catalog. Default: the repository's providers.yaml with NANGO_PROVIDERS_FILE's entries. */
  catalog?: ProviderCatalog;
  /** Where webhooks go. Default: the webhook outbox (tests pass a recorder). */
  webhooks?: Webhooks;
  /** Lease, sweep and retry timings of async actions; tests shorten them. */
  asyncActionTimings?: AsyncActionTimings;
  /** Runs sync scripts (the scheduler around it decides when). Default: the sandboxed executor of `<sync>.sync.ts`. */
  syncExecutor?: SyncExecutor;
  /** Where operations are recorded (and counted by the metrics as they end). Default: NO_OPERATIONS */
  operationLog?: OperationLog;
  /** How long a scrape's look-ups (queues, webhook outbox, sync lag) are reused. Default: 5000 ms; tests shorten it. */
  metricsCacheMs?: number;
  /** The built dashboard /dashboard serves. Default: packages/server/dist/dashboard (tests point at other folders). */
  dashboardDir?: string;
}

/**
 * The worker: loads integrations.yaml, opens the database, consumes requests on one broker connection and
 * replies on another (both reconnect by themselves), until stopped.
 */
export class Worker {
  private readonly replies: ReplyPublisher;
  private readonly responder: Responder;
  private readonly runner: ActionRunner;
  private readonly registry: IntegrationRegistry;
  private readonly apiContext: ApiContext;
  private readonly asyncActions: AsyncActionConsumer;
  /** Routes the provider webhooks `/webhook/...` queued, in processes with the `worker` role. */
  private readonly providerWebhooks: ProviderWebhookConsumer;
  /** Queues post-connection-creation runs for the workers, in every role; runs them, in the worker role. */
  private readonly onEventPublisher: OnEventPublisher;
  private readonly onEvents: OnEventConsumer;
  /** The webhook outbox; its deliverer runs in every role (see docs/http-api.md, Webhooks). */
  private readonly webhooks: WebhookOutbox;
  /** The sync scheduler, in processes with the `worker` role. */
  private readonly syncs: SyncScheduler;
  /** Refreshes and verifies credentials with no call from the app, in every role (see refresh/BackgroundRefresh.ts). */
  private readonly credentialChecks: BackgroundRefresh;
  /** This worker's metrics (GET /metrics, NANGO_METRICS_PORT), and the broker look-ups they make when scraped. */
  private readonly metrics: WorkerMetrics;
  private readonly queueProbe: QueueProbe;
  private metricsListener: MetricsListener | undefined;
  private api: FastifyInstance | undefined;
  /**
   * The operations log every operation of this process is recorded in (undefined with NANGO_LOGS=off): its
   * `droppedCount` says how many entries a full buffer dropped.
   */
  readonly operationLog: StoredOperationLog | undefined;
  /** Prunes the operations log past NANGO_LOGS_RETENTION_DAYS and NANGO_LOGS_MAX_OPERATIONS. */
  private readonly retention: LogRetention;
  /** Deletes the schedules and records of deployed syncs a deployment dropped, past their grace period. */
  private readonly removedSyncs: RemovedSyncSweep;
  /** The providers catalog, loaded once at start: a change to it needs a restart, unlike integrations.yaml. */
  readonly providers: ProviderCatalog;
  private config: IntegrationsConfig;
  private consumers: RequestConsumer[] = [];
  private connections: amqp.RecoveringChannelModel[] = [];
  /** Whether each of the worker role's broker connections is up (GET /health/ready). */
  private links: LinkWatch[] = [];
  private stopWatching: (() => Promise<void>) | undefined;
  private stopped: Promise<void> | undefined;
  /** The OpenTelemetry SDK this worker started (OTEL_EXPORTER_OTLP_*), stopped last so it exports every span. */
  private tracing: Tracing | undefined;

  private constructor(
    readonly settings: WorkerSettings,
    readonly logger: Logger,
    private readonly store: Store,
    private readonly loader: ActionLoader,
    catalog: ProviderCatalog,
    extras: Pick<
      WorkerStartOptions,
      'webhooks' | 'asyncActionTimings' | 'syncExecutor' | 'operationLog' | 'metricsCacheMs' | 'dashboardDir'
    >,
  ) {
    this.providers = catalog;
    allowPrivateHostsForUserHosts(settings.allowPrivateHosts);
    allowLocalMcpServers(settings.mcpAllowLocalServers);
    this.config = this.loadConfig();
    this.logLegacyNotices();
    // The deployed syncs join the integrations every part reads (scheduler, runs, records, routes).
    const deployedSyncs = new DeployedSyncs(store.functionDeployments, loader);
    this.registry = new IntegrationRegistry(
      () => this.config,
      store.integrations,
      catalog,
      settings.integrationsDir,
      deployedSyncs,
    );
    // First: every part below records its operations in it.
    this.operationLog = settings.logs
      ? new StoredOperationLog({
          store: store.operations,
          redactor: (secrets) => new ActionLogRedactor(secrets),
          logger: logger.child({ component: 'operations' }),
        })
      : undefined;
    this.retention = new LogRetention({
      store: store.operations,
      maxAgeMs: settings.logsRetentionDays === 0 ? undefined : settings.logsRetentionDays * 24 * 60 * 60 * 1000,
      maxOperations: settings.logsMaxOperations === 0 ? undefined : settings.logsMaxOperations,
      logger: logger.child({ component: 'operations' }),
    });
    this.removedSyncs = new RemovedSyncSweep({
      deployments: store.functionDeployments,
      records: store.records,
      schedules: store.syncSchedules,
      integrations: () => this.registry.snapshot(),
      graceMs: settings.removedSyncGraceHours * 60 * 60 * 1000,
      logger: logger.child({ component: 'syncs' }),
    });
    const rateLimits = new RateLimitGate(store.rateLimits, settings.rateLimitMaxWaitMs, logger);
    this.runner = new ActionRunner(loader, logger, settings.maxConcurrentActions, rateLimits);
    // The one operations log every part records to (refresher, webhook deliverer, operations, proxy, syncs, async).
    // Each operation carries the trace id of the span it starts in, when traced.
    // Tests may pass a recorder instead; with NANGO_LOGS=off nothing is recorded.
    const log = withTraceIds(extras.operationLog ?? this.operationLog ?? NO_OPERATIONS);
    this.webhooks = new WebhookOutbox(store.webhooks, settings, logger, { log });
    // Tests may record webhooks instead of storing them; the outbox's deliverer runs either way.
    const webhooks = extras.webhooks ?? this.webhooks;
    const { asyncActionTimings } = extras;
    // The calls on every action's path get database spans (a no-op costing ~nothing while tracing is off).
    const db = store.kind === 'postgres' ? 'postgresql' : 'sqlite';
    // One refresher for the calls and the background: refreshes of one Connection in this process share one flight.
    const refresher = new CredentialRefresher(store.connections, store.refreshLocks, logger, {}, webhooks, log);
    const { rabbitmqUrl, queue, queueType } = settings;
    this.onEventPublisher = new OnEventPublisher({ rabbitmqUrl, queue, queueType, logger });
    const context: OperationContext = {
      store: withStoreSpans(store.connections, db, 'connections', ['get']),
      runner: this.runner,
      idempotency: withStoreSpans(store.idempotency, db, 'idempotency', ['claim', 'complete', 'release']),
      refresher,
      idempotencyTtlMs: settings.idempotencyTtlSeconds * 1000,
      maxMetadataBytes: settings.maxMetadataBytes,
      verificationTimeoutMs: settings.verificationTimeoutMs,
      integrations: () => this.registry.snapshot(),
      deployed: new DeployedFunctions(store.functionDeployments, loader),
      onEvents: this.onEventPublisher,
      webhooks,
      logger,
      log,
      environment: {
        // Read when asked: a server started on port 0 learns its URL only once it listens.
        webhookUrl: (integration) =>
          `${webhookBaseOf(this.apiContext.settings.serverUrl, settings.environment, settings.environmentUuid)}/${encodeURIComponent(integration)}`,
        variables: settings.environmentVariables,
      },
    };
    const cacheMs = extras.metricsCacheMs ?? QUEUE_CACHE_MS;
    this.queueProbe = new QueueProbe(settings.rabbitmqUrl, settings.queue, cacheMs);
    const poolUse = store.poolUse?.bind(store);
    this.metrics = new WorkerMetrics(
      {
        log: context.log,
        sandboxes: () => this.runner.sandboxes,
        queues: this.queueProbe.depths,
        webhookBacklog: () => store.webhooks.backlog(),
        syncLag: (now) => store.syncSchedules.lag(now),
        ...(poolUse && { storePool: poolUse }),
      },
      logger,
      { storeCacheMs: cacheMs },
    );
    this.credentialChecks = new BackgroundRefresh({
      checks: store.credentialChecks,
      connections: store.connections,
      refresher,
      integrations: () => this.registry.snapshot(),
      logger: logger.child({ component: 'credentials' }),
      webhooks,
      log,
      counter: this.metrics.credentialChecks,
      intervalMs: settings.credentialsCheckIntervalSeconds * 1000,
      exerciseMs: settings.refreshExerciseIntervalSeconds * 1000,
      verifyMs: settings.credentialsVerifyIntervalSeconds * 1000,
      concurrency: settings.credentialsCheckConcurrency,
    });
    this.apiContext = {
      operations: context,
      registry: this.registry,
      sessions: store.oauthSessions,
      sockets: new WsClients(),
      settings: {
        serverUrl: settings.serverUrl,
        secretKey: settings.secretKey,
        publicKey: settings.publicKey,
        hmacKey: settings.hmacKey,
        oauthSessionTtlMs: settings.oauthSessionTtlSeconds * 1000,
        providerTimeoutMs: PROVIDER_TIMEOUT_MS,
        dashboard: settings.dashboard
          ? {
              dir: extras.dashboardDir ?? BUILT_DASHBOARD_DIR,
              user: settings.dashboardUser,
              password: settings.dashboardPassword,
              sessionTtlMs: settings.dashboardSessionTtlSeconds * 1000,
            }
          : undefined,
      },
      logger,
      store,
      webhooks: context.webhooks,
      workerSettings: settings,
      metrics: this.metrics,
      readiness: () => this.readiness(),
    };
    this.asyncActions = new AsyncActionConsumer({
      context,
      store: store.asyncActions,
      logger,
      queue: settings.queue,
      queueType: settings.queueType,
      prefetch: settings.maxConcurrentActions,
      ttlMs: settings.asyncActionTtlSeconds * 1000,
      ...(asyncActionTimings && { timings: asyncActionTimings }),
    });
    const syncExecutor =
      extras.syncExecutor ??
      new SandboxSyncExecutor(
        this.runner,
        store.records,
        () => this.registry.snapshot(),
        // A deployed sync's calls past its records, as an action's: its own Connection's metadata (with the size
        // check of every door), other actions one level deeper in the sync's slot, its integration and environment.
        (connection) =>
          functionHost(
            context,
            { integration: requireIntegration(context, connection.integration), userId: connection.userId, depth: 0 },
            (child, depth, signal) => triggerAction(context, child, { nested: { depth, signal } }),
          ),
      );
    const webhookLogger = logger.child({ component: 'provider-webhooks' });
    this.providerWebhooks = new ProviderWebhookConsumer({
      context,
      logger: webhookLogger,
      queue: settings.queue,
      queueType: settings.queueType,
      prefetch: settings.maxConcurrentActions,
      // Deployed syncs' onWebhook handlers, run by the executor scheduled runs use.
      handlers: new SyncWebhookHandlers({
        context,
        executor: syncExecutor,
        webhooks: context.webhooks,
        switches: settings,
        logger: webhookLogger,
      }),
    });
    this.onEvents = new OnEventConsumer({ context, logger, queue, queueType, prefetch: settings.maxConcurrentActions });
    this.syncs = new SyncScheduler({
      queue: settings.queue,
      queueType: settings.queueType,
      tickMs: settings.syncTickMs,
      maxConcurrent: settings.maxConcurrentSyncs,
      leaseMs: settings.syncLeaseMs,
      schedules: store.syncSchedules,
      operations: context,
      executor: syncExecutor,
      webhooks: context.webhooks,
      switches: settings,
      logger: logger.child({ component: 'syncs' }),
      integrations: () => this.registry.snapshot(),
    });
    this.replies = new ReplyPublisher(logger);
    const deliveries = settings.queueType === 'classic' ? store.deliveries : undefined;
    this.responder = new Responder({
      process: (content, delivery) => processRequest(context, content, logger, delivery, this.metrics.rpc),
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
   * @throws ConfigError for a bad integrations.yaml or providers catalog; an Error when the broker stays unreachable
   */
  static async start(options: WorkerStartOptions = {}): Promise<Worker> {
    const {
      logger: givenLogger,
      roles = { rpc: true, http: true },
      catalog: givenCatalog,
      webhooks,
      asyncActionTimings,
      syncExecutor,
      operationLog,
      metricsCacheMs,
      dashboardDir,
      ...overrides
    } = options;
    const settings = resolveWorkerSettings(process.env, overrides);
    const logger = givenLogger ?? createLogger(settings.logLevel);
    const logLevelGiven =
      givenLogger !== undefined || (process.env['NANGO_LOG_LEVEL'] ?? '') !== '' || overrides.logLevel !== undefined;
    process.setSourceMapsEnabled(true); // action stack traces point at the .ts lines
    const catalog =
      givenCatalog ??
      checkCatalogTemplates(loadProviderCatalog(settings.providersFile === undefined ? {} : { file: settings.providersFile }));
    const tracing = settings.tracing.tracesUrl === undefined ? undefined : tracingSdk().startTracing(settings.tracing, logger);
    const { store } = await openStore(process.env, storeTarget(settings), logger).catch(async (error: unknown) => {
      await tracing?.stop();
      throw error;
    });
    let worker: Worker;
    try {
      // What the last run left: outcomes past their time, and counts of deliveries long over.
      await store.idempotency.prune();
      await store.deliveries.prune(Date.now() - DELIVERY_COUNTS_KEPT_MS);
      await store.asyncActions.prune(Date.now());
      const loader = new ActionLoader(settings.integrationsDir);
      const extras = { webhooks, asyncActionTimings, syncExecutor, operationLog, metricsCacheMs, dashboardDir };
      worker = new Worker(settings, logger, store, loader, catalog, extras);
    } catch (error) {
      await store.close();
      await tracing?.stop();
      throw error;
    }
    worker.tracing = tracing;
    // A 2022 folder's nango-config.yaml sets the server's log level, unless NANGO_LOG_LEVEL says otherwise.
    const legacyLevel = worker.config.legacy?.serverLogLevel;
    if (legacyLevel !== undefined && !logLevelGiven) logger.level = legacyLevel;
    try {
      await worker.registry.start();
      worker.webhooks.start();
      worker.retention.start();
      worker.removedSyncs.start();
      worker.credentialChecks.start();
      worker.onEventPublisher.start();
      if (roles.rpc) await worker.connect();
      if (roles.http) await worker.listen(overrides.serverUrl !== undefined || Boolean(process.env['NANGO_SERVER_URL']));
      await worker.listenMetrics();
      if (settings.watch) {
        const paths = [settings.integrationsYaml, settings.integrationsDir];
        worker.stopWatching = await watchIntegrations(paths, () => worker.reload(), logger);
      }
    } catch (error) {
      await worker.stop();
      throw error;
    }
    const { queue, queueType, watch, prefetch, maxConcurrentActions } = settings;
    const integrations = worker.registry.snapshot().integrations.size;
    const http = roles.http ? worker.apiContext.settings.serverUrl : undefined;
    const dashboard = http !== undefined && settings.dashboard ? `${http}/dashboard` : undefined;
    const rpc = roles.rpc ? queue : undefined;
    const db = store.location;
    logger.info(
      { queue: rpc, http, dashboard, queueType, integrations, store: store.kind, db, watch, prefetch, maxConcurrentActions },
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

  /** Address of the NANGO_METRICS_PORT listener, once it listens. */
  get metricsUrl(): string | undefined {
    return this.metricsListener?.url;
  }

  /** Address the HTTP API listens on, once it does (tests listen on port 0). */
  get httpUrl(): string | undefined {
    return this.api ? this.apiContext.settings.serverUrl : undefined;
  }

  /**
   * Compiles every HTTP route's schemas now rather than on each route's first request (see api/lazyRouteSchemas) and
   * returns how many there are: for tests, so that a bad schema fails them.
   * @throws the schema compiler's error for a bad schema
   */
  compileRouteSchemas(): number {
    return this.api?.compileRouteSchemas() ?? 0;
  }

  /**
   * Resolves once the HTTP API's broker links are up (the /action dispatcher and the flow-result relay), which start
   * in the background so that the API serves without a broker: for tests and benchmarks that need them.
   */
  async brokerLinksReady(): Promise<void> {
    await Promise.all([this.apiContext.actions?.ready(), this.apiContext.flowResults?.ready()]);
  }

  /**
   * Whether this process is ready (GET /health/ready, on the HTTP API and the metrics listener): every broker link
   * of the roles it runs is up (the worker role's replies, requests, async actions and syncs connections; the API
   * role's /action dispatcher and flow-result relay) and the store answers `SELECT 1` within STORE_PING_MS.
   */
  readiness(): Promise<Readiness> {
    const down = [...this.links.filter((link) => !link.up).map((link) => link.name), ...apiLinksDown(this.apiContext)];
    return checkReadiness(down, this.store);
  }

  private async shutDown(): Promise<void> {
    await this.stopWatching?.();
    this.registry.stop();
    this.apiContext.sockets.closeAll();
    await this.api?.close();
    await this.metricsListener?.close();
    await this.apiContext.actions?.close();
    await this.apiContext.flowResults?.close();
    for (const consumer of this.consumers) await consumer.stop();
    await this.asyncActions.stop();
    await this.onEvents.stop();
    await this.providerWebhooks.stop();
    await this.syncs.stop(); // runs in flight are aborted and hand their leases back
    await this.credentialChecks.stop(); // claims not looked at are given back
    const grace = this.settings.shutdownGraceMs;
    await Promise.all([
      this.responder.waitIdle(grace),
      this.asyncActions.waitIdle(grace),
      this.onEvents.waitIdle(grace),
      this.providerWebhooks.waitIdle(grace),
    ]);
    await this.runner.close(); // runs still going past the grace period are stopped, not left running
    // Async runs the runner stopped give their row back (queued again) before the store closes.
    await this.asyncActions.waitIdle(ASYNC_GIVE_BACK_MS);
    await this.asyncActions.close();
    await this.onEvents.close(); // runs the runner stopped go back to the queue, unacked
    await this.onEventPublisher.close();
    await this.providerWebhooks.close(); // before the outbox stops: routing stores forwards
    await this.webhooks.stop(); // after the runs, which may still store webhooks; what is in flight goes back
    await closeUserHostConnections(); // kept-alive sockets to hosts users typed; made again if another worker calls
    // Last before the store closes: every operation above has ended (those still running end as cancelled).
    await this.retention.stop();
    await this.removedSyncs.stop();
    await this.operationLog?.stop();
    // Replies first, then acks, each channel closed (and confirmed) before any connection goes.
    await this.replies.close();
    for (const consumer of this.consumers) await consumer.close();
    for (const connection of this.connections) await connection.close().catch(() => undefined);
    this.metrics.close();
    await this.queueProbe.close();
    await this.store.close();
    await this.tracing?.stop(); // exports the spans still buffered
    this.logger.info('nango worker stopped');
    this.logger.flush();
  }

  /**
   * Starts the HTTP API. Without NANGO_SECRET_KEY on an address other than loopback the API is open to the network:
   * allowed (spec 3 runs it so), but said loudly. With port 0 and no NANGO_SERVER_URL, the URL gets the real port.
   */
  private async listen(serverUrlExplicit: boolean): Promise<void> {
    const { host, port, secretKey, rabbitmqUrl, queue, queueType } = this.settings;
    const actions = new ActionDispatcher({ rabbitmqUrl, queue, queueType, logger: this.logger });
    this.apiContext.actions = actions;
    actions.start();
    const flowResults = new FlowResultRelay(this.apiContext.sockets, { rabbitmqUrl, queue, logger: this.logger });
    this.apiContext.flowResults = flowResults;
    flowResults.start();
    this.api = await buildApi(this.apiContext);
    await this.api.listen({ host, port });
    const address = this.api.server.address();
    if (!serverUrlExplicit && address && typeof address === 'object') {
      (this.apiContext.settings as { serverUrl: string }).serverUrl = `http://localhost:${address.port}`;
    }
    if (secretKey === undefined && !isLoopback(host)) {
      this.logger.warn(
        { host },
        'the HTTP API listens beyond loopback without NANGO_SECRET_KEY: anyone who can reach it can read every token',
      );
    }
  }

  /**
   * Starts the NANGO_METRICS_PORT listener, when set. Beyond loopback without NANGO_METRICS_TOKEN or a secret key,
   * anyone who reaches it reads the metrics (no secret is in them, but names of integrations and routes are): said.
   */
  private async listenMetrics(): Promise<void> {
    const { metricsPort: port, metricsHost: host, metricsToken, secretKey } = this.settings;
    if (port === undefined) return;
    const readiness = () => this.readiness();
    const logger = this.logger;
    this.metricsListener = await listenMetrics(this.metrics, { host, port, metricsToken, secretKey, logger, readiness });
    if (metricsToken === undefined && secretKey === undefined && !isLoopback(host)) {
      this.logger.warn({ host }, 'the metrics listener is open beyond loopback: set NANGO_METRICS_TOKEN');
    }
  }

  private async connect(): Promise<void> {
    const { rabbitmqUrl: url, connectRetries: retries } = this.settings;
    const logger = this.logger;
    const links: Array<[name: string, setup: (model: amqp.ChannelModel) => Promise<void>]> = [
      ['replies', this.replies.setup],
      ['requests', (model) => this.consume(model)],
      ['async actions', this.asyncActions.setup],
      ['syncs', this.syncs.setup],
      ['on-event runs', this.onEvents.setup],
      ['provider webhooks', this.providerWebhooks.setup],
    ];
    // All at once: each open is a TCP and AMQP handshake plus its setup's round trips to the broker (10–50 ms here,
    // much of it waiting on the broker), and six in a row added those waits up (docs/performance.md, start-up).
    // No setup needs another's: a request that comes before the reply channel waits for it (ReplyPublisher).
    const opened = await Promise.allSettled(links.map(([name, setup]) => connectBroker({ url, name, retries, logger, setup })));
    // Kept in the fixed order above whatever finished first: stop() closes the connections in it, replies first.
    opened.forEach((result, i) => {
      if (result.status !== 'fulfilled') return;
      this.connections.push(result.value);
      this.links.push(watchLink(links[i]![0], result.value));
    });
    // Every open has settled, so stop() after this failure closes all that did open.
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Recovery setup of the request connection, on every new connection: a consumer of the request queue, and one
   * of the action overflow queue with a prefetch of the action concurrency, each on its own channel, plus the
   * confirm channel that moves actions from the first to the second (see ActionOverflow).
   */
  private async consume(model: amqp.ChannelModel): Promise<void> {
    if (this.stopped) throw new Error('the worker is stopping');
    const { queue, queueType, maxDeliveries, prefetch, maxConcurrentActions } = this.settings;
    const watch = <T extends amqp.Channel>(channel: T): T => {
      channel.on('error', (error: Error) => this.logger.error({ err: error }, 'request channel error'));
      channel.on('close', () => {
        // A channel can die while its connection lives on; closing the connection makes recovery rebuild all.
        if (!this.stopped) void model.close().catch(() => undefined);
      });
      return channel;
    };
    const budget = actionBudget(prefetch);
    // The overflow consumer answers an action only once a slot is free for it (see RequestConsumer's `admit`).
    const actions = new RequestConsumer(
      watch(await model.createChannel()),
      this.responder,
      this.logger,
      undefined,
      () => this.runner.freeSlots,
    );
    this.runner.onSlotFreed(() => actions.poke());
    const overflow = { queue: overflowQueue(queue), queueType, maxDeliveries, credentialsQueue: false };
    await actions.start(overflow, maxConcurrentActions);
    const mover = new ActionOverflow(watch(await model.createConfirmChannel()), overflowQueue(queue), this.logger);
    const requests = new RequestConsumer(watch(await model.createChannel()), this.responder, this.logger, {
      mover,
      budget,
    });
    await requests.start({ queue, queueType, maxDeliveries }, prefetch);
    this.consumers = [requests, actions];
    if (this.stopped) {
      // stop() came while this reconnect was setting up: take no requests it would not wait for.
      for (const consumer of this.consumers) await consumer.stop();
    }
  }

  private loadConfig(): IntegrationsConfig {
    const { integrationsYaml: yamlPath, integrationsDir } = this.settings;
    return loadIntegrationsConfig({ yamlPath, integrationsDir, providers: this.providers });
  }

  /** A 2022-format file loads with notes on what was mapped elsewhere or ignored: once per load, as one line. */
  private logLegacyNotices(): void {
    const legacy = this.config.legacy;
    if (!legacy) return;
    const file = this.settings.integrationsYaml;
    this.logger.info(
      { file, notices: legacy.notices },
      'integrations.yaml is in the 2022 format; converted (see nango-server migrate-config)',
    );
  }

  /** Re-reads integrations.yaml and forgets compiled actions; a bad file keeps the last good configuration. */
  private reload(): void {
    this.loader.invalidateAll();
    try {
      this.config = this.loadConfig();
      this.logger.info({ integrations: this.config.integrations.size }, 'integrations reloaded');
      this.logLegacyNotices();
    } catch (error) {
      const problems = (error as { problems?: unknown }).problems ?? [(error as Error).message];
      this.logger.error({ problems }, 'integrations.yaml could not be reloaded; keeping the previous configuration');
    }
  }
}

/**
 * How many actions a worker holds from the request queue before it moves further ones to the overflow queue:
 * a quarter of the prefetch (at least one request) stays for requests that run no action.
 */
export function actionBudget(prefetch: number): number {
  return Math.max(1, prefetch - Math.max(1, Math.floor(prefetch / 4)));
}
