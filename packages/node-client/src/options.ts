import { DEFAULT_QUEUE, redactUrl } from '@nangohq/protocol';

/** How a client reaches the broker and how long it waits. Every field is optional; defaults are below. */
export interface NangoClientOptions {
  /**
   * Full broker URL, `amqp://user:pass@host:5672/vhost` or `amqps://...` for TLS.
   * Default: `amqp://<host>:<port>` from the two fields below.
   */
  url?: string;
  /** Broker host when `url` is not given. Default: 'localhost'. */
  host?: string;
  /** Broker port when `url` is not given. Default: 5672. */
  port?: number;
  /** Queue the worker consumes. Default: the NANGO_QUEUE environment variable, else 'nango.requests'. */
  queue?: string;
  /**
   * How long a call waits for its reply before rejecting with `timeout`.
   * Default: 30000 ms; at most 2147483647 (about 24.8 days).
   */
  requestTimeoutMs?: number;
  /**
   * How long connect() waits for the broker before rejecting with `connection_failed`.
   * Default: 10000 ms; at most 2147483647 (about 24.8 days).
   */
  connectTimeoutMs?: number;
  /** Extra socket options passed to amqplib, e.g. `ca`, `cert`, `key` for amqps. `noDelay` is always on. */
  socketOptions?: Record<string, unknown>;
}

/** Per-call options, accepted as the last argument of every method. */
export interface CallOptions {
  /** Overrides the client's requestTimeoutMs for this call; at most 2147483647 (about 24.8 days). */
  timeoutMs?: number;
}

/** Options with every default filled in. */
export interface ResolvedClientOptions {
  url: string;
  queue: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  socketOptions: Record<string, unknown>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** The longest timeout Node's timers honour (2^31-1 ms, about 24.8 days); a longer one fires after ~1 ms instead. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Fills in the defaults documented on NangoClientOptions. Throws a TypeError for a bad value. */
export function resolveClientOptions(options: NangoClientOptions): ResolvedClientOptions {
  const host = options.host ?? 'localhost';
  const port = options.port ?? 5672;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  assertTimeoutMs('requestTimeoutMs', requestTimeoutMs);
  assertTimeoutMs('connectTimeoutMs', connectTimeoutMs);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(`Nango: port must be an integer between 1 and 65535, got ${String(port)}`);
  }
  const url = options.url ?? `amqp://${host}:${port}`;
  if (!/^amqps?:\/\//.test(url)) {
    throw new TypeError(`Nango: url must start with amqp:// or amqps://, got ${redactUrl(url)}`);
  }
  return {
    url,
    queue: options.queue ?? process.env['NANGO_QUEUE'] ?? DEFAULT_QUEUE,
    requestTimeoutMs,
    connectTimeoutMs,
    socketOptions: options.socketOptions ?? {},
  };
}

/** Throws a TypeError unless `value` is a positive number of milliseconds no greater than MAX_TIMEOUT_MS. */
export function assertTimeoutMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new TypeError(
      `Nango: ${name} must be a positive number of milliseconds, at most ${MAX_TIMEOUT_MS} (about 24.8 days), got ${String(value)}`,
    );
  }
}
