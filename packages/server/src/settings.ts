import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_MAX_REQUEST_BYTES, DEFAULT_QUEUE } from '@nangohq/protocol';
import type { StoreTarget } from './store/openStore';

/** Everything the worker can be configured with. Each field names its environment variable and default. */
export interface WorkerSettings {
  /** NANGO_RABBITMQ_URL — broker URL, amqp:// or amqps://. Default: amqp://localhost:5672 */
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
}

/** Environment variables the worker reads, for --help. */
export const SETTINGS_ENV: ReadonlyArray<readonly [string, string]> = [
  ['NANGO_RABBITMQ_URL', 'amqp://localhost:5672'],
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
  ['NANGO_IDEMPOTENCY_TTL_S', '86400'],
  ['NANGO_PORT', '3003'],
  ['NANGO_HOST', '127.0.0.1 (0.0.0.0: every interface)'],
  ['NANGO_SERVER_URL', 'http://localhost:<NANGO_PORT>'],
  ['NANGO_SECRET_KEY', 'none: the HTTP API is open'],
  ['NANGO_PUBLIC_KEY', 'none'],
  ['NANGO_HMAC_KEY', 'none: no hmac asked on /oauth/connect'],
  ['NANGO_OAUTH_SESSION_TTL_S', '900'],
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
    idempotencyTtlSeconds: int('NANGO_IDEMPOTENCY_TTL_S', 86_400, 1),
    port: int('NANGO_PORT', 3003, 0),
    host: env['NANGO_HOST'] || '127.0.0.1',
    serverUrl: '',
    secretKey: env['NANGO_SECRET_KEY'] || undefined,
    publicKey: env['NANGO_PUBLIC_KEY'] || undefined,
    hmacKey: env['NANGO_HMAC_KEY'] || undefined,
    oauthSessionTtlSeconds: int('NANGO_OAUTH_SESSION_TTL_S', 900, 1),
    ...overrides,
  };
  if (settings.port > 65535) problems.push(`NANGO_PORT must be at most 65535, got '${settings.port}'`);
  settings.serverUrl = (overrides.serverUrl || env['NANGO_SERVER_URL'] || `http://localhost:${settings.port}`).replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\/[^/]/.test(settings.serverUrl)) problems.push(`NANGO_SERVER_URL must be an http:// or https:// URL`);
  if (settings.queueType !== 'classic' && settings.queueType !== 'quorum') {
    problems.push(`NANGO_QUEUE_TYPE must be classic or quorum, got '${String(settings.queueType)}'`);
  }
  if (!LOG_LEVELS.includes(settings.logLevel))
    problems.push(`NANGO_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${settings.logLevel}'`);
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

/** The store the settings choose: PostgreSQL when NANGO_DATABASE_URL names one, else the SQLite file. */
export function storeTarget(settings: Pick<WorkerSettings, 'dbPath' | 'databaseUrl' | 'databasePoolSize'>): StoreTarget {
  return settings.databaseUrl
    ? { kind: 'postgres', url: settings.databaseUrl, poolSize: settings.databasePoolSize }
    : { kind: 'sqlite', path: settings.dbPath };
}
