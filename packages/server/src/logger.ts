import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Field names whose values are never written, wherever they appear in a log object. Nothing logs credentials
 * on purpose; this catches the accident.
 */
const REDACTED_PATHS = [
  'credentials',
  '*.credentials',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'api_key',
  '*.api_key',
  'password',
  '*.password',
  'oauth_token_secret',
  '*.oauth_token_secret',
  'client_secret',
  '*.client_secret',
];

/**
 * The worker's logger: one JSON object per line on stdout (pipe through `npx pino-pretty` to read it).
 * Writes are buffered and asynchronous so logging stays off the per-message hot path; pino flushes on exit.
 * Tests pass their own destination to read the lines.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'nango-worker',
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
