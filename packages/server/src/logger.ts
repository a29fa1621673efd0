import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are never written when they appear at the top level of a log line (where the fields an
 * action passes to `this.logger` land). Nothing logs credentials on purpose; this catches the accident. Exact
 * keys only: wildcard paths cost about 7% of the worker's CPU under load (measured, docs/performance.md).
 */
const REDACTED_KEYS = [
  'credentials',
  'access_token',
  'refresh_token',
  'api_key',
  'password',
  'oauth_token_secret',
  'client_secret',
];

/** Buffered log output is written at least this often, so a quiet worker's lines still show up promptly. */
const FLUSH_INTERVAL_MS = 1_000;

/**
 * The worker's logger: one JSON object per line on stdout, `time` in epoch milliseconds (pipe through
 * `npx pino-pretty` to read them). Lines are buffered (4 KiB) and written asynchronously, flushed every second
 * and at exit, so logging costs no system call per line on the hot path. Tests pass their own destination.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const stream = destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logger = pino(
    { name: 'nango-worker', level, redact: { paths: REDACTED_KEYS, censor: '[redacted]' }, base: { pid: process.pid } },
    stream,
  );
  if (!destination) setInterval(() => logger.flush(), FLUSH_INTERVAL_MS).unref();
  return logger;
}
