import { DEFAULT_QUEUE } from '@nangohq/protocol';

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
  /** How long a call waits for its reply before rejecting with `timeout`. Default: 30000 ms. */
  requestTimeoutMs?: number;
  /** How long connect() waits for the broker before rejecting with `connection_failed`. Default: 10000 ms. */
  connectTimeoutMs?: number;
  /** Extra socket options passed to amqplib, e.g. `ca`, `cert`, `key` for amqps. `noDelay` is always on. */
  socketOptions?: Record<string, unknown>;
}

/** Per-call options, accepted as the last argument of every method. */
export interface CallOptions {
  /** Overrides the client's requestTimeoutMs for this call. */
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

/** Fills in the defaults documented on NangoClientOptions. Throws a TypeError for a bad value. */
export function resolveClientOptions(options: NangoClientOptions): ResolvedClientOptions {
  const host = options.host ?? 'localhost';
  const port = options.port ?? 5672;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  assertPositive('requestTimeoutMs', requestTimeoutMs);
  assertPositive('connectTimeoutMs', connectTimeoutMs);
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

/** Throws a TypeError unless `value` is a positive finite number. */
export function assertPositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Nango: ${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
}

/** The URL with its password replaced, safe for error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  }
}
