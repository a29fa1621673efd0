import { randomUUID } from 'node:crypto';
import { ACTION_CONTEXT, type ActionContext, type ActionLogger } from '@nangohq/action';
import type { NangoConnection } from '@nangohq/protocol';
import type { ActionConfig, IntegrationConfig } from '../config/types';
import { describeError, isError } from '../describeError';
import { WorkerError } from '../errors';
import { performHttpRequest } from '../outbound/performHttpRequest';
import type { Logger } from '../logger';
import { ActionLogRedactor } from './ActionLogRedactor';
import { EncodedJson } from '../rpc/EncodedJson';
import type { ActionLoader } from './ActionLoader';
import { Semaphore } from './Semaphore';

/**
 * Runs one action for one Connection: loads the class, injects the Connection and helpers, enforces the time
 * limit, and turns every outcome into either the JSON of the result or a WorkerError. This is the one place
 * where "the user's action failed" is told apart from "the platform failed".
 */
export class ActionRunner {
  private readonly slots: Semaphore;

  constructor(
    private readonly loader: ActionLoader,
    private readonly logger: Logger,
    maxConcurrentActions = 16,
  ) {
    this.slots = new Semaphore(maxConcurrentActions);
  }

  /**
   * @param onStart awaited right before the action's own code runs (its class is instantiated, then
   *   executeAction), after the wait for a slot and the load: a failure before it had no side effect. What it
   *   throws ends the run without running the action, and passes through unlogged (the key was not this run's).
   * @returns the action's result, already encoded as JSON (checked once, sent as is)
   * @throws WorkerError `action_load_failed`, `action_failed`, `action_timeout`, `action_result_not_json`,
   *   `http_host_not_allowed`, `http_request_failed`
   */
  run(
    integration: IntegrationConfig,
    action: ActionConfig,
    connection: NangoConnection,
    input: unknown,
    onStart?: () => Promise<void>,
  ): Promise<EncodedJson> {
    // Beyond the limit, runs wait here; their time limit starts when they start.
    return this.slots.run(() => this.runNow(integration, action, connection, input, onStart));
  }

  private async runNow(
    integration: IntegrationConfig,
    action: ActionConfig,
    connection: NangoConnection,
    input: unknown,
    onStart: (() => Promise<void>) | undefined,
  ): Promise<EncodedJson> {
    const tags = { integration: integration.name, action: action.name, userId: connection.userId, executionId: randomUUID() };
    const started = performance.now();
    const log = (outcome: string, extra: Record<string, unknown> = {}) =>
      this.logger.info(
        { ...tags, durationMs: Math.round((performance.now() - started) * 100) / 100, outcome, ...extra },
        'action run',
      );
    let refusedToStart = false;
    try {
      const actionClass = await this.loader.load(action.file);
      if (onStart) {
        await onStart().catch((error: unknown) => {
          refusedToStart = true;
          throw error;
        });
      }
      const result = await this.execute(actionClass, integration, action, connection, input, tags);
      const encoded = encodeResult(result, `${integration.name}.${action.name}`);
      log('success');
      return encoded;
    } catch (error) {
      if (refusedToStart) throw error; // not a run of the action: nothing to log or classify
      // An action's own error may quote its Connection's credentials: neither the caller nor the log gets them.
      const redactor = new ActionLogRedactor(connection.credentials);
      const failure = withoutSecrets(classify(error, `${integration.name}.${action.name}`), redactor);
      // The caller gets the message; the stack stays here, in the log.
      const stack = isError(error) && failure.code !== 'action_load_failed' ? redactor.message(String(error.stack)) : undefined;
      log(failure.code, { error: failure.message, ...(stack !== undefined && { stack }) });
      throw failure;
    }
  }

  private async execute(
    actionClass: new () => { executeAction(input: unknown): Promise<unknown>; [ACTION_CONTEXT]: ActionContext | undefined },
    integration: IntegrationConfig,
    action: ActionConfig,
    connection: NangoConnection,
    input: unknown,
    tags: Record<string, string>,
  ): Promise<unknown> {
    // Built on first use: most actions never read their signal or log, and these cost per run (measured).
    let controller: AbortController | undefined;
    let logger: ActionLogger | undefined;
    const signal = () => (controller ??= new AbortController()).signal;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new WorkerError(
          'action_timeout',
          `${integration.name}.${action.name} did not finish within ${action.timeoutMs} ms`,
        );
        (controller ??= new AbortController()).abort(error);
        reject(error);
      }, action.timeoutMs);
    });
    try {
      const instance = new actionClass();
      const baseLogger = this.logger;
      const context: ActionContext = {
        connection,
        get signal() {
          return signal();
        },
        get logger() {
          const bindings = { ...tags, source: 'action' };
          const child = baseLogger.child(bindings, { level: integration.logLevel });
          return (logger ??= actionLogger(child, bindings, new ActionLogRedactor(connection.credentials)));
        },
        httpRequest: (endpoint, method, params, body, headers) =>
          performHttpRequest(integration, connection, {
            endpoint,
            method,
            signal: signal(),
            warn: (message) => context.logger.warn(message),
            ...(params !== undefined && { params }),
            ...(body !== undefined && { body }),
            ...(headers !== undefined && { headers }),
          }),
      };
      instance[ACTION_CONTEXT] = context;
      // An action that never settles is abandoned here; its signal tells it (and its HTTP calls) to stop.
      return await Promise.race([instance.executeAction(input), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Encodes the result once; a value JSON cannot carry is the action's mistake, reported as such. */
function encodeResult(result: unknown, name: string): EncodedJson {
  const type = typeof result;
  if (type === 'function' || type === 'symbol' || type === 'bigint') {
    throw new WorkerError('action_result_not_json', `${name} returned a ${type}, which cannot be sent as JSON`);
  }
  try {
    return new EncodedJson(JSON.stringify(result));
  } catch (error) {
    throw new WorkerError(
      'action_result_not_json',
      `${name} returned a value that cannot be sent as JSON: ${describeError(error)}`,
    );
  }
}

/** Our errors keep their code; anything thrown by the action becomes `action_failed` with its message. */
function classify(error: unknown, name: string): WorkerError {
  if (error instanceof WorkerError) return error;
  if (isError(error)) return new WorkerError('action_failed', error.message || `${name} threw ${error.name}`, { cause: error });
  return new WorkerError('action_failed', `${name} threw a non-Error value: ${safeString(error)}`);
}

function withoutSecrets(failure: WorkerError, redactor: ActionLogRedactor): WorkerError {
  const message = redactor.message(failure.message);
  return message === failure.message ? failure : new WorkerError(failure.code, message, { cause: failure.cause });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The action's `this.logger`. Every line goes through the redactor, which knows this Connection's secrets. pino
 * writes a field after the child's bindings without checking for the same key, so an action logging `{ userId }`
 * made a line with `userId` twice (and JSON readers keep only the last): a field named like a binding goes under
 * `fields` instead.
 */
function actionLogger(logger: Logger, bindings: Record<string, unknown>, redactor: ActionLogRedactor): ActionLogger {
  const clean = (fields: Record<string, unknown> | undefined): Record<string, unknown> => {
    if (fields === undefined || fields === null || typeof fields !== 'object') return {};
    if (!Object.keys(fields).some((key) => Object.hasOwn(bindings, key))) return fields;
    const own: Record<string, unknown> = {};
    const clashing: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) (Object.hasOwn(bindings, key) ? clashing : own)[key] = value;
    return { ...own, fields: clashing };
  };
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (!logger.isLevelEnabled(level)) return;
      logger[level](redactor.fields(clean(fields)), redactor.message(String(message)));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
