/** Structured logger; each line is tagged with integration, action, user id and execution id. */
export interface ActionLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

type Level = keyof ActionLogger;

/**
 * What `this.logger` offers an action: our four levels plus the 2022 product's logger (winston), whose action
 * files may call `http`, `verbose` and `silly` (written at debug) and `log(level, message, meta)` or
 * `log({ level, message, ...meta })`. A message may also be an object with a `message` key, and meta any value.
 */
export interface NangoActionLogger {
  error(message: unknown, meta?: unknown): void;
  warn(message: unknown, meta?: unknown): void;
  info(message: unknown, meta?: unknown): void;
  http(message: unknown, meta?: unknown): void;
  verbose(message: unknown, meta?: unknown): void;
  debug(message: unknown, meta?: unknown): void;
  silly(message: unknown, meta?: unknown): void;
  log(level: unknown, message?: unknown, meta?: unknown): void;
}

/** winston's npm levels mapped onto ours; an unknown level logs at info rather than losing the line. */
const LEVELS: Readonly<Record<string, Level>> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  http: 'debug',
  verbose: 'debug',
  debug: 'debug',
  silly: 'debug',
};

/** Wraps the worker's logger for one run. */
export function withWinstonMethods(logger: ActionLogger): NangoActionLogger {
  const write = (level: unknown, message: unknown, meta: unknown) => {
    const method = (typeof level === 'string' && Object.hasOwn(LEVELS, level) ? LEVELS[level] : undefined) ?? 'info';
    const [text, fields] = normalise(message, meta);
    logger[method](text, fields);
  };
  return {
    error: (message, meta) => write('error', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    info: (message, meta) => write('info', message, meta),
    http: (message, meta) => write('http', message, meta),
    verbose: (message, meta) => write('verbose', message, meta),
    debug: (message, meta) => write('debug', message, meta),
    silly: (message, meta) => write('silly', message, meta),
    log: (level, message, meta) => {
      if (isRecord(level)) {
        const { level: named, ...rest } = level;
        write(named, rest, undefined);
      } else {
        write(level, message, meta);
      }
    },
  };
}

/** `(message, fields)` as our logger takes them, from any of the shapes winston accepts. */
function normalise(message: unknown, meta: unknown): [string, Record<string, unknown> | undefined] {
  let fields: Record<string, unknown> | undefined;
  if (isRecord(meta)) fields = { ...meta };
  else if (meta instanceof Error) fields = { err: meta };
  else if (meta !== undefined) fields = { meta };
  if (message instanceof Error) return [message.message, { err: message, ...fields }];
  if (isRecord(message)) {
    const { message: text, ...rest } = message;
    return [text === undefined ? '' : String(text), { ...rest, ...fields }];
  }
  return [typeof message === 'string' ? message : String(message), fields];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);
}
