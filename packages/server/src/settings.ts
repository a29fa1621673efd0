import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_MAX_REQUEST_BYTES, DEFAULT_QUEUE } from '@nangohq/protocol';
import type { StoreTarget } from './store/openStore';
import { parseAllowList } from './outbound/overrideHost';
import { brokerUrlProblems } from './broker/brokerUrls';
import { resolveTracingSettings, TRACING_ENV, type TracingSettings } from './tracing/TracingSettings';

/** Everything the worker can be configured with. Each field names its environment variable and default. */
export interface WorkerSettings {
  /**
   * NANGO_RABBITMQ_URL — broker URL, amqp:// or amqps://; for a RabbitMQ cluster, one URL per node, comma-separated
   * (tried in the order given; a dropped connection moves on to the next; see broker/brokerUrls.ts).
   * Default: amqp://localhost:5672
   */
  rabbitmqUrl: string;
  /** NANGO_QUEUE — request queue; deployments sharing a broker use different names. Default: nango.requests */
  queue: string;
  /**
   * NANGO_INTEGRATIONS_YAML — the integrations file. Default: ./integrations.yaml, or the integrations.yaml of
   * NANGO_INTEGRATIONS_DIR when that folder is a 2022 `nango-integrations/` folder (it has a nango-config.yaml)
   */
  integrationsYaml: string;
  /** NANGO_INTEGRATIONS_DIR — folder holding <integration>/<action>.action.ts. Default: ./integrations */
  integrationsDir: string;
  /**
   * NANGO_PROVIDERS_FILE — your own providers catalog (Nango's providers.yaml format), merged over the built-in
   * one: an entry adds a provider or overrides one field by field. Default: none, the built-in catalog alone
   */
  providersFile: string | undefined;
  /** NANGO_DB_PATH — SQLite database file (created with its folder). Default: ./data/nango.sqlite */
  dbPath: string;
  /**
   * NANGO_DATABASE_URL — `postgres://user:password@host:5432/db` for a PostgreSQL store shared by workers on several
   * machines; unset (or `sqlite:<path>`) for SQLite at NANGO_DB_PATH (or that path). Default: unset
   */
  databaseUrl: string | undefined;
  /** NANGO_DATABASE_POOL_SIZE — most connections this worker opens to PostgreSQL. Default: 10 */
  databasePoolSize: number;
  /** NANGO_PREFETCH — requests handled at once by this worker, per queue it consumes. Default: 32 */
  prefetch: number;
  /** NANGO_WATCH — reload integrations.yaml and action files on change. Default: on, off when NODE_ENV=production */
  watch: boolean;
  /** NANGO_LOG_LEVEL — trace, debug, info, warn, error or silent. Default: info */
  logLevel: string;
  /** NANGO_SHUTDOWN_GRACE_MS — how long a stop waits for requests in flight. Default: 30000 */
  shutdownGraceMs: number;
  /** NANGO_CONNECT_RETRIES — attempts to reach the broker at start before giving up. Default: 5 */
  connectRetries: number;
  /**
   * NANGO_QUEUE_TYPE — 'classic' (durable classic queue; the worker counts redeliveries in SQLite) or 'quorum'
   * (replicated; the broker counts them, at ~2.5× the latency here). Default: classic
   */
  queueType: 'classic' | 'quorum';
  /** NANGO_MAX_DELIVERIES — deliveries of one request before it goes to the dead-letter queue `<queue>.dead`. Default: 5 */
  maxDeliveries: number;
  /** NANGO_MAX_CONCURRENT_ACTIONS — action runs at once in this worker; more wait their turn. Default: 16 */
  maxConcurrentActions: number;
  /** NANGO_MAX_REQUEST_BYTES — largest request accepted. Default: 1048576 (1 MiB, as the client's default) */
  maxRequestBytes: number;
  /** NANGO_MAX_REPLY_BYTES — largest reply sent; a larger one becomes a reply_too_large error. Default: 8388608 (8 MiB) */
  maxReplyBytes: number;
  /**
   * NANGO_MAX_METADATA_BYTES — largest metadata (a Connection's additionalConfig, as JSON) a write may leave on a
   * Connection; a larger one is refused with `metadata_too_large` and nothing is stored. Default: 65536 (64 KiB,
   * DEFAULT_MAX_METADATA_BYTES)
   */
  maxMetadataBytes: number;
  /** NANGO_IDEMPOTENCY_TTL_S — how long the outcome of a call with an idempotency key is kept. Default: 86400 (a day) */
  idempotencyTtlSeconds: number;
  /** NANGO_PORT — port of the HTTP API (and the frontend's WebSocket). Default: 3003 */
  port: number;
  /**
   * NANGO_HOST — address the HTTP API listens on. Default: 127.0.0.1 (loopback: reachable from this machine only);
   * 0.0.0.0 for every interface (as in a container). Without NANGO_SECRET_KEY a warning says the API is open.
   */
  host: string;
  /** NANGO_SERVER_URL — public URL of the API; OAuth callback URLs are built on it. Default: http://localhost:<port> */
  serverUrl: string;
  /** NANGO_SECRET_KEY — required on every non-OAuth HTTP route when set (Bearer, or Basic user name). Default: none (open) */
  secretKey: string | undefined;
  /** NANGO_PUBLIC_KEY — required as `public_key` on /oauth/connect when set. Default: none */
  publicKey: string | undefined;
  /** NANGO_HMAC_KEY — when set, /oauth/connect requires hmac = hex HMAC-SHA256 of `<key>:<connection id>`. Default: none */
  hmacKey: string | undefined;
  /** NANGO_OAUTH_SESSION_TTL_S — time from /oauth/connect to its callback before the flow expires. Default: 900 */
  oauthSessionTtlSeconds: number;
  /**
   * NANGO_MCP_ALLOW_LOCAL_SERVERS — lets MCP_OAUTH2_GENERIC Connections use http:// MCP servers and authorization
   * servers, on `localhost` or a loopback or private address (local development and tests). Default: false (https
   * only, public addresses only; link-local and cloud metadata addresses are refused either way)
   */
  mcpAllowLocalServers: boolean;
  /**
   * NANGO_ALLOW_PRIVATE_HOSTS — lets a host a user types (a catalog URL whose host is a Connection's value, e.g. a
   * self-hosted GitLab at `https://${connectionConfig.hostname}`) resolve to a loopback or private address (RFC 1918,
   * RFC 6598, IPv6 ULA): instances on the operator's own network, and tests against local mocks. Default: false.
   * Link-local and cloud metadata addresses are refused either way (net/addressGuard.ts)
   */
  allowPrivateHosts: boolean;
  /** NANGO_API_RATE_LIMIT — requests per window each key (or client address, without a key) may make to the HTTP API. Default: 1000 */
  apiRateLimit: number;
  /** NANGO_API_RATE_LIMIT_WINDOW_S — the window of NANGO_API_RATE_LIMIT, in seconds. Default: 60 */
  apiRateLimitWindowSeconds: number;
  /** NANGO_CORS_ORIGINS — origins browsers may call the API from: `*`, or a comma-separated list. Default: * */
  corsOrigins: string;
  /** NANGO_PROXY_RETRY_BASE_MS — first backoff of a proxy retry, doubled each attempt, with jitter. Default: 1000 */
  proxyRetryBaseMs: number;
  /** NANGO_PROXY_TIMEOUT_MS — time limit of one proxied call to the provider, headers and body. Default: 120000 */
  proxyTimeoutMs: number;
  /**
   * NANGO_PROXY_STALE_MS — how old the Connection and the learned rate limit a proxy call uses may be: a process reuses
   * what it read that recently instead of reading the store on every call. Its own writes (a refresh, a new key, a
   * limit learned) it sees at once; another process's at most this late. 0 reads the store on every call. Default: 1000
   */
  proxyStaleMs: number;
  /**
   * NANGO_PROXY_ALLOWED_HOSTS — hosts a `Base-Url-Override` may name besides the integration's own (comma-separated:
   * `api.example.com`, `*.example.com` for its subdomains, `*` for any host). Link-local and cloud metadata hosts
   * (169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal) only by an entry of their own, even with `*`.
   * Default: unset, the integration's own hosts only (its base_url's and its catalog entry's)
   */
  proxyAllowedHosts: string[] | undefined;
  /**
   * NANGO_RATE_LIMIT_MAX_WAIT_MS — how long a proxy call or httpRequest waits for a provider's learned rate limit to
   * lift before failing with the retryable `provider_rate_limited`. Default: 30000
   */
  rateLimitMaxWaitMs: number;
  /** NANGO_ASYNC_ACTION_TTL_S — how long the result of an async action is kept. Default: 86400 (a day) */
  asyncActionTtlSeconds: number;
  /** NANGO_WEBHOOK_URL — where webhooks go (auth, async action completion, syncs). Default: none (no webhooks) */
  webhookUrl: string | undefined;
  /** NANGO_WEBHOOK_SECONDARY_URL — a second URL that receives every webhook too. Default: none */
  webhookSecondaryUrl: string | undefined;
  /** NANGO_WEBHOOK_SIGNING_KEY — key of the webhooks' HMAC signatures. Default: NANGO_SECRET_KEY */
  webhookSigningKey: string | undefined;
  /** NANGO_WEBHOOK_ON_AUTH_CREATION — send `auth` webhooks when a Connection is created or overridden. Default: true */
  webhookOnAuthCreation: boolean;
  /** NANGO_WEBHOOK_ON_AUTH_REFRESH_ERROR — send `auth` webhooks when a token refresh fails for good. Default: true */
  webhookOnAuthRefreshError: boolean;
  /** NANGO_WEBHOOK_ON_ASYNC_ACTION_COMPLETION — send `async_action` webhooks when an async action ends. Default: true */
  webhookOnAsyncActionCompletion: boolean;
  /** NANGO_WEBHOOK_ON_SYNC_COMPLETION_ALWAYS — send `sync` webhooks even for runs that changed nothing. Default: false */
  webhookOnSyncCompletionAlways: boolean;
  /** NANGO_WEBHOOK_ON_SYNC_ERROR — send `sync` webhooks for failed runs. Default: true */
  webhookOnSyncError: boolean;
  /** NANGO_WEBHOOK_RETRY_BASE_MS — first backoff of a failed delivery, doubled each attempt, with jitter. Default: 1000 */
  webhookRetryBaseMs: number;
  /** NANGO_WEBHOOK_MAX_ATTEMPTS — attempts of one delivery before it is marked failed (replayable). Default: 10 */
  webhookMaxAttempts: number;
  /** NANGO_WEBHOOK_TIMEOUT_MS — time limit of one delivery attempt. Default: 10000 */
  webhookTimeoutMs: number;
  /** NANGO_ENVIRONMENT — the environment name webhooks carry (`environment`). Default: prod */
  environment: string;
  /**
   * NANGO_ENVIRONMENT_UUID — another name of this server's one environment in provider webhook URLs
   * (`/webhook/<environment>/<integration>`, Nango's shape): set it to a Nango environment's uuid so providers keep
   * the URL they were given. Default: none (the path takes NANGO_ENVIRONMENT)
   */
  environmentUuid: string | undefined;
  /**
   * NANGO_PROVIDER_WEBHOOK_MAX_BYTES — largest provider webhook body `/webhook/...` accepts (413 past it); each is queued
   * whole on the broker. Default: 1048576 (1 MiB)
   */
  providerWebhookMaxBytes: number;
  /**
   * NANGO_ENVIRONMENT_VARIABLES — what `GET /environment-variables` (getEnvironmentVariables) answers: a JSON object
   * of names to text values, e.g. `{"API_BASE":"https://api.example.com"}`. Only what is listed here is shown; no
   * other setting or environment variable ever is. Default: `{}` (none)
   */
  environmentVariables: Readonly<Record<string, string>>;
  /** NANGO_CONNECT_SESSION_TTL_S — lifetime of a connect session token. Default: 1800 (30 minutes) */
  connectSessionTtlSeconds: number;
  /**
   * NANGO_VERIFICATION_TIMEOUT_MS — time limit of each call of a catalog entry's verification request (`proxy.
   * verification`), made when a Connection's static credentials are given: past it the credentials are refused with
   * the retryable `credentials_check_failed` and nothing is stored. Default: 10000
   */
  verificationTimeoutMs: number;
  /** NANGO_SYNC_TICK_MS — how often the sync scheduler looks for due runs (and new Connections to schedule). Default: 1000 */
  syncTickMs: number;
  /** NANGO_MAX_CONCURRENT_SYNCS — sync runs at once in this worker (the prefetch of the sync run queue). Default: 4 */
  maxConcurrentSyncs: number;
  /**
   * NANGO_SYNC_LEASE_MS — lease of a sync run, renewed every third of it while the run goes on: a worker that dies
   * mid-run is replaced (from the last checkpoint) once it expires. Default: 60000
   */
  syncLeaseMs: number;
  /**
   * NANGO_CREDENTIALS_CHECK_INTERVAL_S — how often each worker looks for Connections whose credentials to refresh or
   * verify in the background (less up to a fifth at random, so workers drift apart); a token is refreshed when it
   * would expire within its margin before the next look. 0 turns the background check off. Default: 60
   */
  credentialsCheckIntervalSeconds: number;
  /**
   * NANGO_REFRESH_EXERCISE_INTERVAL_S — longest time a refresh token (any token an auth mode fetches again) goes
   * unused: past it the background refreshes the Connection even when nothing expires, so providers that revoke unused
   * refresh tokens do not. 0: refreshed only ahead of expiry. Default: 86400 (a day)
   */
  refreshExerciseIntervalSeconds: number;
  /**
   * NANGO_CREDENTIALS_VERIFY_INTERVAL_S — how often static credentials (API key, basic, …) whose catalog entry names a
   * verification request are tried there again in the background. 0: never. Default: 86400 (a day)
   */
  credentialsVerifyIntervalSeconds: number;
  /** NANGO_CREDENTIALS_CHECK_CONCURRENCY — Connections one worker refreshes or verifies at once in the background. Default: 4 */
  credentialsCheckConcurrency: number;
  /**
   * NANGO_METRICS_TOKEN — a token that reads `GET /metrics` (Bearer) and nothing else, for Prometheus, which then needs
   * no secret key. Default: none (the secret key reads it; without a secret key either, it is open like the API)
   */
  metricsToken: string | undefined;
  /**
   * NANGO_METRICS_PORT — a listener of its own that serves only `GET /metrics`, in every role (a `worker` process has
   * no HTTP API otherwise), with the keys of the route (NANGO_METRICS_TOKEN or the secret key, when set). Default: none
   */
  metricsPort: number | undefined;
  /** NANGO_METRICS_HOST — address NANGO_METRICS_PORT listens on. Default: 127.0.0.1 (loopback only) */
  metricsHost: string;
  /** The standard OTEL_* variables: where traces are exported, if anywhere (see tracing/TracingSettings.ts). Default: nowhere */
  tracing: TracingSettings;
  /** NANGO_LOGS — keep the operations log (`on`) or record nothing (`off`, e.g. to measure its cost). Default: on */
  logs: boolean;
  /** NANGO_LOGS_RETENTION_DAYS — operations older than this many days are pruned; 0 keeps them by age. Default: 14 */
  logsRetentionDays: number;
  /**
   * NANGO_REMOVED_SYNC_GRACE_HOURS — how long a deployed sync a deployment dropped keeps its schedules and records
   * (a rollback within it keeps them); then a sweep deletes them. Default: 24
   */
  removedSyncGraceHours: number;
  /** NANGO_LOGS_MAX_OPERATIONS — past this many operations the oldest are pruned; 0 sets no limit. Default: 1000000 */
  logsMaxOperations: number;
  /** NANGO_DASHBOARD — serve the dashboard at /dashboard and its sign-in routes (`on`), or neither (`off`). Default: on */
  dashboard: boolean;
  /**
   * NANGO_DASHBOARD_USER and NANGO_DASHBOARD_PASSWORD — a user name and password that sign in to the dashboard, besides
   * the secret key; both or neither. Default: none (the secret key alone signs in)
   */
  dashboardUser: string | undefined;
  dashboardPassword: string | undefined;
  /** NANGO_DASHBOARD_SESSION_TTL_S — how long a dashboard sign-in lasts. Default: 43200 (12 hours) */
  dashboardSessionTtlSeconds: number;
}

/**
 * The default of NANGO_MAX_METADATA_BYTES: 64 KiB of JSON. Metadata is per-Connection settings (ids, field
 * mappings, a few flags), which fit in a few KB; the connection object carries it twice (`connection_config` and
 * `metadata`), and every request that reads it (a GET of the Connection, an action that reads it) pays for its
 * size, so the cap keeps that cost well under a millisecond. Larger data belongs in records or the app's own store.
 */
export const DEFAULT_MAX_METADATA_BYTES = 64 * 1024;

/** Environment variables the worker reads, for --help. */
export const SETTINGS_ENV: ReadonlyArray<readonly [string, string]> = [
  ['NANGO_RABBITMQ_URL', 'amqp://localhost:5672 (a cluster: amqp://node1,amqp://node2,…)'],
  ['NANGO_QUEUE', DEFAULT_QUEUE],
  ['NANGO_INTEGRATIONS_YAML', './integrations.yaml (<dir>/integrations.yaml for a 2022 folder)'],
  ['NANGO_INTEGRATIONS_DIR', './integrations'],
  ['NANGO_PROVIDERS_FILE', 'none (the built-in providers.yaml alone)'],
  ['NANGO_DB_PATH', './data/nango.sqlite'],
  ['NANGO_DATABASE_URL', 'unset: SQLite at NANGO_DB_PATH (postgres://… for PostgreSQL)'],
  ['NANGO_DATABASE_POOL_SIZE', '10'],
  ['NANGO_PREFETCH', '32'],
  ['NANGO_WATCH', 'true (false when NODE_ENV=production)'],
  ['NANGO_LOG_LEVEL', 'info'],
  ['NANGO_SHUTDOWN_GRACE_MS', '30000'],
  ['NANGO_CONNECT_RETRIES', '5'],
  ['NANGO_QUEUE_TYPE', 'classic (or quorum)'],
  ['NANGO_MAX_DELIVERIES', '5'],
  ['NANGO_MAX_CONCURRENT_ACTIONS', '16'],
  ['NANGO_MAX_REQUEST_BYTES', String(DEFAULT_MAX_REQUEST_BYTES)],
  ['NANGO_MAX_REPLY_BYTES', String(8 * 1024 * 1024)],
  ['NANGO_MAX_METADATA_BYTES', String(DEFAULT_MAX_METADATA_BYTES)],
  ['NANGO_IDEMPOTENCY_TTL_S', '86400'],
  ['NANGO_PORT', '3003'],
  ['NANGO_HOST', '127.0.0.1 (0.0.0.0: every interface)'],
  ['NANGO_SERVER_URL', 'http://localhost:<NANGO_PORT>'],
  ['NANGO_SECRET_KEY', 'none: the HTTP API is open'],
  ['NANGO_PUBLIC_KEY', 'none'],
  ['NANGO_HMAC_KEY', 'none: no hmac asked on /oauth/connect'],
  ['NANGO_OAUTH_SESSION_TTL_S', '900'],
  ['NANGO_API_RATE_LIMIT', '1000'],
  ['NANGO_API_RATE_LIMIT_WINDOW_S', '60'],
  ['NANGO_CORS_ORIGINS', '*'],
  ['NANGO_PROXY_RETRY_BASE_MS', '1000'],
  ['NANGO_PROXY_TIMEOUT_MS', '120000'],
  ['NANGO_PROXY_ALLOWED_HOSTS', "unset: a Base-Url-Override may name only the integration's own hosts"],
  ['NANGO_ALLOW_PRIVATE_HOSTS', 'false: a host a user types may not resolve to loopback or private addresses'],
  ['NANGO_RATE_LIMIT_MAX_WAIT_MS', '30000'],
  ['NANGO_ASYNC_ACTION_TTL_S', '86400'],
  ['NANGO_WEBHOOK_URL', 'none: no webhooks'],
  ['NANGO_WEBHOOK_SECONDARY_URL', 'none'],
  ['NANGO_WEBHOOK_SIGNING_KEY', 'NANGO_SECRET_KEY'],
  ['NANGO_WEBHOOK_ON_AUTH_CREATION', 'true'],
  ['NANGO_WEBHOOK_ON_AUTH_REFRESH_ERROR', 'true'],
  ['NANGO_WEBHOOK_ON_ASYNC_ACTION_COMPLETION', 'true'],
  ['NANGO_WEBHOOK_ON_SYNC_COMPLETION_ALWAYS', 'false'],
  ['NANGO_WEBHOOK_ON_SYNC_ERROR', 'true'],
  ['NANGO_WEBHOOK_RETRY_BASE_MS', '1000'],
  ['NANGO_WEBHOOK_MAX_ATTEMPTS', '10'],
  ['NANGO_WEBHOOK_TIMEOUT_MS', '10000'],
  ['NANGO_ENVIRONMENT', 'prod'],
  ['NANGO_ENVIRONMENT_UUID', 'none: /webhook/<environment>/... takes NANGO_ENVIRONMENT'],
  ['NANGO_PROVIDER_WEBHOOK_MAX_BYTES', '1048576'],
  ['NANGO_ENVIRONMENT_VARIABLES', '{}: GET /environment-variables lists none'],
  ['NANGO_CONNECT_SESSION_TTL_S', '1800'],
  ['NANGO_VERIFICATION_TIMEOUT_MS', '10000'],
  ['NANGO_SYNC_TICK_MS', '1000'],
  ['NANGO_MAX_CONCURRENT_SYNCS', '4'],
  ['NANGO_SYNC_LEASE_MS', '60000'],
  ['NANGO_CREDENTIALS_CHECK_INTERVAL_S', '60 (0: no background refresh or verification)'],
  ['NANGO_REFRESH_EXERCISE_INTERVAL_S', '86400 (0: refresh only ahead of expiry)'],
  ['NANGO_CREDENTIALS_VERIFY_INTERVAL_S', '86400 (0: never verify again)'],
  ['NANGO_CREDENTIALS_CHECK_CONCURRENCY', '4'],
  ['NANGO_METRICS_TOKEN', 'none: the secret key reads /metrics'],
  ['NANGO_METRICS_PORT', 'none: /metrics on the HTTP API only'],
  ['NANGO_METRICS_HOST', '127.0.0.1'],
  ...TRACING_ENV,
  ['NANGO_LOGS', 'on (off: record no operations)'],
  ['NANGO_LOGS_RETENTION_DAYS', '14 (0: no limit by age)'],
  ['NANGO_LOGS_MAX_OPERATIONS', '1000000 (0: no limit by count)'],
  ['NANGO_REMOVED_SYNC_GRACE_HOURS', '24 (0: at the next sweep)'],
  ['NANGO_DASHBOARD', 'on (off: no /dashboard)'],
  ['NANGO_DASHBOARD_USER', 'none: the secret key alone signs in to the dashboard'],
  ['NANGO_DASHBOARD_PASSWORD', 'none (set with NANGO_DASHBOARD_USER)'],
  ['NANGO_DASHBOARD_SESSION_TTL_S', '43200'],
];

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

/**
 * Reads settings from the environment, then applies `overrides` (used by tests and embedders). Paths are made
 * absolute against the working directory.
 * @throws Error listing every variable with a bad value
 */
export function resolveWorkerSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<WorkerSettings> = {},
): WorkerSettings {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) problems.push(`${name} must be an integer >= ${min}, got '${raw}'`);
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got '${env[name]}'`);
    return fallback;
  };
  const list = (raw: string | undefined): string[] | undefined => {
    const items = (raw ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    return items.length > 0 ? items : undefined;
  };
  const settings: WorkerSettings = {
    rabbitmqUrl: env['NANGO_RABBITMQ_URL'] || 'amqp://localhost:5672',
    queue: env['NANGO_QUEUE'] || DEFAULT_QUEUE,
    integrationsYaml: env['NANGO_INTEGRATIONS_YAML'] || './integrations.yaml',
    integrationsDir: env['NANGO_INTEGRATIONS_DIR'] || './integrations',
    providersFile: env['NANGO_PROVIDERS_FILE'] || undefined,
    dbPath: env['NANGO_DB_PATH'] || './data/nango.sqlite',
    databaseUrl: env['NANGO_DATABASE_URL'] || undefined,
    databasePoolSize: int('NANGO_DATABASE_POOL_SIZE', 10, 1),
    prefetch: int('NANGO_PREFETCH', 32, 1),
    watch: bool('NANGO_WATCH', env['NODE_ENV'] !== 'production'),
    logLevel: env['NANGO_LOG_LEVEL'] || 'info',
    shutdownGraceMs: int('NANGO_SHUTDOWN_GRACE_MS', 30_000, 0),
    connectRetries: int('NANGO_CONNECT_RETRIES', 5, 0),
    queueType: (env['NANGO_QUEUE_TYPE'] || 'classic') as WorkerSettings['queueType'],
    maxDeliveries: int('NANGO_MAX_DELIVERIES', 5, 1),
    maxConcurrentActions: int('NANGO_MAX_CONCURRENT_ACTIONS', 16, 1),
    maxRequestBytes: int('NANGO_MAX_REQUEST_BYTES', DEFAULT_MAX_REQUEST_BYTES, 1024),
    maxReplyBytes: int('NANGO_MAX_REPLY_BYTES', 8 * 1024 * 1024, 1024),
    maxMetadataBytes: int('NANGO_MAX_METADATA_BYTES', DEFAULT_MAX_METADATA_BYTES, 2),
    idempotencyTtlSeconds: int('NANGO_IDEMPOTENCY_TTL_S', 86_400, 1),
    port: int('NANGO_PORT', 3003, 0),
    host: env['NANGO_HOST'] || '127.0.0.1',
    serverUrl: '',
    secretKey: env['NANGO_SECRET_KEY'] || undefined,
    publicKey: env['NANGO_PUBLIC_KEY'] || undefined,
    hmacKey: env['NANGO_HMAC_KEY'] || undefined,
    oauthSessionTtlSeconds: int('NANGO_OAUTH_SESSION_TTL_S', 900, 1),
    mcpAllowLocalServers: bool('NANGO_MCP_ALLOW_LOCAL_SERVERS', false),
    allowPrivateHosts: bool('NANGO_ALLOW_PRIVATE_HOSTS', false),
    apiRateLimit: int('NANGO_API_RATE_LIMIT', 1000, 1),
    apiRateLimitWindowSeconds: int('NANGO_API_RATE_LIMIT_WINDOW_S', 60, 1),
    corsOrigins: env['NANGO_CORS_ORIGINS'] || '*',
    proxyRetryBaseMs: int('NANGO_PROXY_RETRY_BASE_MS', 1000, 0),
    proxyTimeoutMs: int('NANGO_PROXY_TIMEOUT_MS', 120_000, 1),
    proxyStaleMs: int('NANGO_PROXY_STALE_MS', 1000, 0),
    proxyAllowedHosts: list(env['NANGO_PROXY_ALLOWED_HOSTS']),
    rateLimitMaxWaitMs: int('NANGO_RATE_LIMIT_MAX_WAIT_MS', 30_000, 0),
    asyncActionTtlSeconds: int('NANGO_ASYNC_ACTION_TTL_S', 86_400, 1),
    webhookUrl: env['NANGO_WEBHOOK_URL'] || undefined,
    webhookSecondaryUrl: env['NANGO_WEBHOOK_SECONDARY_URL'] || undefined,
    webhookSigningKey: env['NANGO_WEBHOOK_SIGNING_KEY'] || undefined, // else the secret key, below
    webhookOnAuthCreation: bool('NANGO_WEBHOOK_ON_AUTH_CREATION', true),
    webhookOnAuthRefreshError: bool('NANGO_WEBHOOK_ON_AUTH_REFRESH_ERROR', true),
    webhookOnAsyncActionCompletion: bool('NANGO_WEBHOOK_ON_ASYNC_ACTION_COMPLETION', true),
    webhookOnSyncCompletionAlways: bool('NANGO_WEBHOOK_ON_SYNC_COMPLETION_ALWAYS', false),
    webhookOnSyncError: bool('NANGO_WEBHOOK_ON_SYNC_ERROR', true),
    webhookRetryBaseMs: int('NANGO_WEBHOOK_RETRY_BASE_MS', 1000, 0),
    webhookMaxAttempts: int('NANGO_WEBHOOK_MAX_ATTEMPTS', 10, 1),
    webhookTimeoutMs: int('NANGO_WEBHOOK_TIMEOUT_MS', 10_000, 1),
    environment: env['NANGO_ENVIRONMENT'] || 'prod',
    environmentUuid: env['NANGO_ENVIRONMENT_UUID'] || undefined,
    providerWebhookMaxBytes: int('NANGO_PROVIDER_WEBHOOK_MAX_BYTES', 1024 * 1024, 1024),
    environmentVariables: environmentVariables(env['NANGO_ENVIRONMENT_VARIABLES'], problems),
    connectSessionTtlSeconds: int('NANGO_CONNECT_SESSION_TTL_S', 1800, 60),
    verificationTimeoutMs: int('NANGO_VERIFICATION_TIMEOUT_MS', 10_000, 1),
    syncTickMs: int('NANGO_SYNC_TICK_MS', 1000, 10),
    maxConcurrentSyncs: int('NANGO_MAX_CONCURRENT_SYNCS', 4, 1),
    syncLeaseMs: int('NANGO_SYNC_LEASE_MS', 60_000, 300),
    credentialsCheckIntervalSeconds: int('NANGO_CREDENTIALS_CHECK_INTERVAL_S', 60, 0),
    refreshExerciseIntervalSeconds: int('NANGO_REFRESH_EXERCISE_INTERVAL_S', 86_400, 0),
    credentialsVerifyIntervalSeconds: int('NANGO_CREDENTIALS_VERIFY_INTERVAL_S', 86_400, 0),
    credentialsCheckConcurrency: int('NANGO_CREDENTIALS_CHECK_CONCURRENCY', 4, 1),
    metricsToken: env['NANGO_METRICS_TOKEN'] || undefined,
    metricsPort: env['NANGO_METRICS_PORT'] ? int('NANGO_METRICS_PORT', 0, 0) : undefined,
    metricsHost: env['NANGO_METRICS_HOST'] || '127.0.0.1',
    tracing: resolveTracingSettings(env, problems),
    logs: bool('NANGO_LOGS', true),
    logsRetentionDays: int('NANGO_LOGS_RETENTION_DAYS', 14, 0),
    logsMaxOperations: int('NANGO_LOGS_MAX_OPERATIONS', 1_000_000, 0),
    removedSyncGraceHours: int('NANGO_REMOVED_SYNC_GRACE_HOURS', 24, 0),
    dashboard: bool('NANGO_DASHBOARD', true),
    dashboardUser: env['NANGO_DASHBOARD_USER'] || undefined,
    dashboardPassword: env['NANGO_DASHBOARD_PASSWORD'] || undefined,
    dashboardSessionTtlSeconds: int('NANGO_DASHBOARD_SESSION_TTL_S', 43_200, 60),
    ...overrides,
  };
  settings.webhookSigningKey ??= settings.secretKey; // the secret key as given, by the environment or an override
  if (settings.port > 65535) problems.push(`NANGO_PORT must be at most 65535, got '${settings.port}'`);
  if (settings.metricsPort !== undefined && settings.metricsPort > 65535) {
    problems.push(`NANGO_METRICS_PORT must be at most 65535, got '${settings.metricsPort}'`);
  }
  settings.serverUrl = (overrides.serverUrl || env['NANGO_SERVER_URL'] || `http://localhost:${settings.port}`).replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\/[^/]/.test(settings.serverUrl)) problems.push(`NANGO_SERVER_URL must be an http:// or https:// URL`);
  problems.push(...brokerUrlProblems('NANGO_RABBITMQ_URL', settings.rabbitmqUrl));
  if (settings.queueType !== 'classic' && settings.queueType !== 'quorum') {
    problems.push(`NANGO_QUEUE_TYPE must be classic or quorum, got '${String(settings.queueType)}'`);
  }
  if (!LOG_LEVELS.includes(settings.logLevel))
    problems.push(`NANGO_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${settings.logLevel}'`);
  for (const [name, value] of [
    ['NANGO_WEBHOOK_URL', settings.webhookUrl],
    ['NANGO_WEBHOOK_SECONDARY_URL', settings.webhookSecondaryUrl],
  ] as const) {
    if (value !== undefined && !/^https?:\/\/[^/]/.test(value)) problems.push(`${name} must be an http:// or https:// URL`);
  }
  for (const problem of parseAllowList(settings.proxyAllowedHosts).problems)
    problems.push(`NANGO_PROXY_ALLOWED_HOSTS: ${problem}`);
  // One without the other could never sign in: said at start, naming the missing one (never the value).
  if ((settings.dashboardUser === undefined) !== (settings.dashboardPassword === undefined)) {
    const missing = settings.dashboardUser === undefined ? 'NANGO_DASHBOARD_USER' : 'NANGO_DASHBOARD_PASSWORD';
    problems.push(`NANGO_DASHBOARD_USER and NANGO_DASHBOARD_PASSWORD go together: ${missing} is not set`);
  }
  if (!/^amqps?:\/\//.test(settings.rabbitmqUrl)) problems.push('NANGO_RABBITMQ_URL must start with amqp:// or amqps://');
  const url = settings.databaseUrl;
  if (url !== undefined && !/^(postgres|postgresql):\/\//.test(url) && !url.startsWith('sqlite:')) {
    problems.push('NANGO_DATABASE_URL must start with postgres://, postgresql:// or sqlite: (a file path after it)');
  }
  if (url?.startsWith('sqlite:')) {
    settings.dbPath = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''); // sqlite:path, or sqlite:///absolute/path
    settings.databaseUrl = undefined;
    if (settings.dbPath === '') problems.push('NANGO_DATABASE_URL=sqlite: needs a file path after sqlite:');
  }
  if (problems.length > 0) throw new Error(`Invalid worker settings:\n  - ${problems.join('\n  - ')}`);
  settings.integrationsYaml = resolve(settings.integrationsYaml);
  settings.integrationsDir = resolve(settings.integrationsDir);
  // A 2022 `nango-integrations/` folder holds its integrations.yaml: pointing at the folder alone is enough.
  const yamlGiven = (env['NANGO_INTEGRATIONS_YAML'] ?? '') !== '' || overrides.integrationsYaml !== undefined;
  if (!yamlGiven && existsSync(join(settings.integrationsDir, 'nango-config.yaml'))) {
    settings.integrationsYaml = join(settings.integrationsDir, 'integrations.yaml');
  }
  if (settings.providersFile !== undefined) settings.providersFile = resolve(settings.providersFile);
  if (settings.dbPath !== ':memory:') settings.dbPath = resolve(settings.dbPath);
  return settings;
}

/**
 * NANGO_ENVIRONMENT_VARIABLES as a frozen object of names to text, or {} when unset; each problem goes to `problems`.
 * Messages name the variable and the entry, never a value: an operator may list a value meant for scripts only.
 */
function environmentVariables(raw: string | undefined, problems: string[]): Readonly<Record<string, string>> {
  if (raw === undefined || raw.trim() === '') return Object.freeze({});
  const example = 'e.g. {"API_BASE":"https://api.example.com"}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // JSON.parse's own message quotes the text: not repeated here.
    problems.push(`NANGO_ENVIRONMENT_VARIABLES is not valid JSON: give a JSON object of names to text values, ${example}`);
    return Object.freeze({});
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`NANGO_ENVIRONMENT_VARIABLES must be a JSON object of names to text values, ${example}`);
    return Object.freeze({});
  }
  const variables: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name.trim() === '' || name.length > 255) {
      problems.push('NANGO_ENVIRONMENT_VARIABLES: every name is 1 to 255 characters, not blank');
    } else if (typeof value !== 'string') {
      problems.push(`NANGO_ENVIRONMENT_VARIABLES: the value of '${name}' must be text (a JSON string), not ${typeOf(value)}`);
    } else {
      variables.push([name, value]);
    }
  }
  // fromEntries defines each name as an own property: a name such as `__proto__` is kept, not taken as the prototype.
  return Object.freeze(Object.fromEntries(variables));
}

/** A JSON value's kind, for messages. */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The store the settings choose: PostgreSQL when NANGO_DATABASE_URL names one, else the SQLite file. */
export function storeTarget(settings: Pick<WorkerSettings, 'dbPath' | 'databaseUrl' | 'databasePoolSize'>): StoreTarget {
  return settings.databaseUrl
    ? { kind: 'postgres', url: settings.databaseUrl, poolSize: settings.databasePoolSize }
    : { kind: 'sqlite', path: settings.dbPath };
}
