import { DEFAULT_MAX_REQUEST_BYTES, DEFAULT_QUEUE, redactUrl } from '@nangohq/protocol';

/** How a client reaches the broker and how long it waits. Every field is optional; defaults are below. */
export interface NangoClientOptions {
  /**
   * Full broker URL, `amqp://user:pass@host:5672/vhost` or `amqps://...` for TLS; or, for a RabbitMQ cluster, an
   * array with one URL per node: `['amqp://u:p@rabbit-1', 'amqp://u:p@rabbit-2', 'amqp://u:p@rabbit-3']`.
   * connect() dials them in the order given and keeps the first that answers; when that link drops, the client
   * reconnects starting with the next one, round the list (in order rather than shuffled, so that every process
   * of a deployment meets on the node listed first, where the quorum queues it declares have their leaders;
   * give each process another order to spread them). Default: `amqp://<host>:<port>` from the two fields below.
   */
  url?: string | readonly string[];
  /** Broker host when `url` is not given. Default: 'localhost'. */
  host?: string;
  /** Broker port when `url` is not given. Default: 5672. */
  port?: number;
  /** Queue the worker consumes. Default: the NANGO_QUEUE environment variable, else 'nango.requests'. */
  queue?: string;
  /**
   * How long a call waits for its reply before rejecting with `timeout`. The time a call spends waiting for
   * a dropped connection to come back counts too. Default: 30000 ms; at most 2147483647 (about 24.8 days).
   */
  requestTimeoutMs?: number;
  /**
   * How long one attempt to reach the broker may take before it counts as failed.
   * Default: 10000 ms; at most 2147483647 (about 24.8 days).
   */
  connectTimeoutMs?: number;
  /**
   * How many times connect() tries again, with the reconnect backoff, before rejecting with
   * `connection_failed`; one try dials every URL of `url` once. Default: 0, so that a wrong URL or a missing
   * broker fails at start, at once.
   */
  connectRetries?: number;
  /** Backoff between attempts to get a dropped connection back. Reconnecting never gives up until close(). */
  reconnect?: ReconnectOptions;
  /**
   * Largest serialised request sent; a larger one rejects with `request_too_large` and is not published.
   * Keep it at or below the worker's NANGO_MAX_REQUEST_BYTES. Default: the NANGO_MAX_REQUEST_BYTES environment
   * variable, else 1048576 (1 MiB).
   */
  maxRequestBytes?: number;
  /** Name the broker shows for this client's connection (management UI, `rabbitmqctl list_connections`). Default: 'nango-node-client'. */
  connectionName?: string;
  /** Extra socket options passed to amqplib, e.g. `ca`, `cert`, `key` for amqps. `noDelay` is always on. */
  socketOptions?: Record<string, unknown>;
}

/**
 * Exponential backoff with jitter: attempt n waits between 80% and 100% of min(maxDelayMs, initialDelayMs × 2^(n-1)).
 * The jitter keeps many clients that lost the same broker from all knocking at the same instant.
 */
export interface ReconnectOptions {
  /** Wait before the first attempt after a drop. Default: 100 ms. */
  initialDelayMs?: number;
  /** Longest wait between two attempts. Default: 5000 ms. */
  maxDelayMs?: number;
}

/** Per-call options, accepted as the last argument of every method. */
export interface CallOptions {
  /** Overrides the client's requestTimeoutMs for this call; at most 2147483647 (about 24.8 days). */
  timeoutMs?: number;
}

/** Options of triggerAction, the one call that may run a side effect twice when retried. */
export interface TriggerActionOptions extends CallOptions {
  /**
   * Makes the call safe to retry (after a `timeout` or `connection_lost`, say): the worker keeps the first
   * outcome for this key, per integration and user id, and returns it to later calls with the same key
   * instead of running the action again. 1 to 256 characters, e.g. a uuid made once per logical operation.
   */
  idempotencyKey?: string;
}

/** Options with every default filled in. */
export interface ResolvedClientOptions {
  /** The broker URLs, in the order they are tried; at least one. */
  urls: readonly string[];
  queue: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  connectRetries: number;
  reconnect: Required<ReconnectOptions>;
  maxRequestBytes: number;
  connectionName: string;
  socketOptions: Record<string, unknown>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_RECONNECT: Required<ReconnectOptions> = { initialDelayMs: 100, maxDelayMs: 5_000 };
export const DEFAULT_CONNECTION_NAME = 'nango-node-client';
/** The longest timeout Node's timers honour (2^31-1 ms, about 24.8 days); a longer one fires after ~1 ms instead. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Fills in the defaults documented on NangoClientOptions. Throws a TypeError for a bad value. */
export function resolveClientOptions(options: NangoClientOptions): ResolvedClientOptions {
  const host = options.host ?? 'localhost';
  const port = options.port ?? 5672;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  const connectRetries = options.connectRetries ?? 0;
  const fromEnv = process.env['NANGO_MAX_REQUEST_BYTES'];
  const maxRequestBytes = options.maxRequestBytes ?? (fromEnv ? Number(fromEnv) : DEFAULT_MAX_REQUEST_BYTES);
  const connectionName = options.connectionName ?? DEFAULT_CONNECTION_NAME;
  assertTimeoutMs('requestTimeoutMs', requestTimeoutMs);
  assertTimeoutMs('connectTimeoutMs', connectTimeoutMs);
  assertTimeoutMs('reconnect.initialDelayMs', reconnect.initialDelayMs);
  assertTimeoutMs('reconnect.maxDelayMs', reconnect.maxDelayMs);
  if (reconnect.maxDelayMs < reconnect.initialDelayMs) {
    throw new TypeError(
      `Nango: reconnect.maxDelayMs (${reconnect.maxDelayMs}) must not be below reconnect.initialDelayMs (${reconnect.initialDelayMs})`,
    );
  }
  assertInteger('connectRetries', connectRetries, 0);
  assertInteger('maxRequestBytes', maxRequestBytes, 1);
  assertInteger('port', port, 1, 65535);
  if (typeof connectionName !== 'string' || connectionName === '') {
    throw new TypeError(`Nango: connectionName must be a non-empty string, got ${String(connectionName)}`);
  }
  const urls = resolveUrls(options.url ?? `amqp://${host}:${port}`);
  return {
    urls,
    queue: options.queue ?? process.env['NANGO_QUEUE'] ?? DEFAULT_QUEUE,
    requestTimeoutMs,
    connectTimeoutMs,
    connectRetries,
    reconnect,
    maxRequestBytes,
    connectionName,
    socketOptions: options.socketOptions ?? {},
  };
}

/** The broker URLs of `url`, checked. @throws TypeError naming a bad URL by its position, password hidden */
function resolveUrls(url: string | readonly string[]): readonly string[] {
  const several = Array.isArray(url);
  const urls: readonly unknown[] = several ? url : [url];
  if (urls.length === 0) throw new TypeError('Nango: url must hold at least one amqp:// or amqps:// URL, got []');
  urls.forEach((one, index) => {
    if (typeof one !== 'string' || !/^amqps?:\/\//.test(one)) {
      const name = several ? `url[${index}]` : 'url';
      throw new TypeError(`Nango: ${name} must start with amqp:// or amqps://, got ${redactUrl(String(one))}`);
    }
  });
  return Object.freeze([...(urls as string[])]);
}

/** Throws a TypeError unless `value` is a positive number of milliseconds no greater than MAX_TIMEOUT_MS. */
export function assertTimeoutMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new TypeError(
      `Nango: ${name} must be a positive number of milliseconds, at most ${MAX_TIMEOUT_MS} (about 24.8 days), got ${String(value)}`,
    );
  }
}

function assertInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw new TypeError(`Nango: ${name} must be an integer ${range}, got ${String(value)}`);
  }
}
