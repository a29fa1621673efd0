import { randomUUID } from 'node:crypto';
import { ACTION_CONTEXT, type ActionContext, type ActionLogger } from '@nangohq/action';
import type { NangoConnection } from '@nangohq/protocol';
import type { ActionConfig, IntegrationConfig } from '../config/types';
import { describeError, isError } from '../describeError';
import { WorkerError } from '../errors';
import { performHttpRequest } from '../http/performHttpRequest';
import type { Logger } from '../logger';
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
      const failure = classify(error, `${integration.name}.${action.name}`);
      // The caller gets the message; the stack stays here, in the log.
      const stack = isError(error) && failure.code !== 'action_load_failed' ? error.stack : undefined;
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
      instance[ACTION_CONTEXT] = {
        connection,
        get signal() {
          return signal();
        },
        get logger() {
          return (logger ??= actionLogger(baseLogger.child({ ...tags, source: 'action' }, { level: integration.logLevel })));
        },
        httpRequest: (endpoint, method, params, body, headers) =>
          performHttpRequest(integration, connection, {
            endpoint,
            method,
            signal: signal(),
            ...(params !== undefined && { params }),
            ...(body !== undefined && { body }),
            ...(headers !== undefined && { headers }),
          }),
      };
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

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function actionLogger(logger: Logger): ActionLogger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
