import type { RateLimitGate } from '../ratelimits/RateLimitGate';
import { randomUUID } from 'node:crypto';
import type { NangoConnection } from '@nangohq/protocol';
import type { ActionConfig, IntegrationConfig, SyncConfig } from '../config/types';
import { isError } from '../describeError';
import { WorkerError } from '../errors';
import { performHttpRequest } from '../outbound/performHttpRequest';
import type { Logger } from '../logger';
import { bindToActiveContext } from '../tracing/currentTraceId';
import { inSpan } from '../tracing/inSpan';
import { EncodedJson } from '../broker/EncodedJson';
import type { MessageLevel } from '../operationLog/Operation';
import type { OperationHandle } from '../operationLog/OperationLog';
import { cut, operationFields } from '../operationLog/operationFields';
import type { ActionLoader } from './ActionLoader';
import { ActionLogRedactor } from './ActionLogRedactor';
import type { RunHooks, Sandbox } from './Sandbox';
import type { SandboxHttpRequest, SyncRunData } from './sandboxProtocol';
import { SandboxPool } from './SandboxPool';
import { Semaphore } from './Semaphore';

/** A run another run asked for (see ActionRunner.run). */
export interface NestedRun {
  /** The caller's run's: aborted when that run is stopped. */
  readonly signal: AbortSignal;
}

/** Levels an action's logger has, from most to least verbose, with pino's numbers. */
const ACTION_LOG_LEVELS = [
  ['debug', 20],
  ['info', 30],
  ['warn', 40],
  ['error', 50],
] as const;
const LEVEL_NAMES: ReadonlySet<string> = new Set(ACTION_LOG_LEVELS.map(([name]) => name));
const PINO_LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: Infinity };
/** Longest stack trace of a failed run kept as a message of its operation. */
const MAX_STACK_MESSAGE = 4_096;

/**
 * Runs one action for one Connection: compiles its file, runs it in a sandbox (a worker thread, see Sandbox) with
 * the Connection and helpers injected, enforces the time limit and the memory cap, and turns every outcome into
 * either the JSON of the result or a WorkerError. This is the one place where "the user's action failed" is told
 * apart from "the platform failed". A run's slot is held until its code has really stopped.
 */
export class ActionRunner {
  private readonly slots: Semaphore;
  private readonly pool: SandboxPool;

  constructor(
    private readonly loader: ActionLoader,
    private readonly logger: Logger,
    maxConcurrentActions = 16,
    /** Learned provider rate limits every httpRequest waits for and feeds; none when absent. */
    private readonly rateLimits?: RateLimitGate,
  ) {
    this.slots = new Semaphore(maxConcurrentActions);
    this.pool = new SandboxPool(maxConcurrentActions, logger);
  }

  /**
   * @param onStart awaited right before the action's own code runs (after the wait for a slot and the load, before
   *   the run is handed to its sandbox): a failure before it had no side effect. What it throws ends the run without
   *   running the action, and passes through unlogged (an idempotency key that was not this run's to take).
   * @param operation the run's operation (the caller starts and ends it): the action's log lines, what the worker
   *   did for it (rate limit waits) and a failure's stack become its messages; its id goes on every log line of the run
   * @param host answers a deployed function's calls (setMetadata, triggerAction, …); absent, they fail
   * @param nested set for a run another run asked for (a function's triggerAction): it runs in its caller's slot
   *   (the caller waits for it, so taking a slot of its own could leave every slot held by a caller waiting for a
   *   child that waits for a slot), in a sandbox of its own started at once if none is idle, and stops when the
   *   caller's run is stopped (`signal`)
   * @returns the action's result, already encoded as JSON (checked once, sent as is)
   * @throws WorkerError `action_load_failed`, `action_failed`, `action_timeout`, `action_memory_exceeded`,
   *   `action_sandbox_crashed`, `action_result_not_json`, `http_host_not_allowed`, `http_request_invalid`,
   *   `http_request_failed`, `provider_rate_limited` (a learned rate limit past the wait allowed)
   */
  run(
    integration: IntegrationConfig,
    action: ActionConfig,
    connection: NangoConnection,
    input: unknown,
    onStart?: () => Promise<void>,
    operation?: OperationHandle,
    host?: RunHooks['host'],
    nested?: NestedRun,
  ): Promise<EncodedJson> {
    const run = () =>
      inRunSpan('action', integration, action, connection, () =>
        this.runNow(integration, action, connection, input, onStart, undefined, operation, host, nested),
      );
    // Beyond the limit, runs wait here; their time limit starts when they start.
    return nested ? run() : this.slots.run(run);
  }

  /**
   * Runs a sync script (a NangoSync's fetchData) in a sandbox as an action runs, with the sync's saves and
   * checkpoints answered by `host`. Sync runs take action slots too: a worker's sandboxes are one budget.
   * `operation` is the sync run's, as for `run`. `input` reaches the sync class's executeAction: `{ webhook }` runs a
   * deployed sync's webhook handler (see @nangohq/action's syncFromFunction); undefined runs fetchData.
   * @throws WorkerError as `run`, and what `host` throws (`invalid_records`, `storage_error`), or the signal's reason
   */
  async runSync(
    integration: IntegrationConfig,
    sync: SyncConfig,
    connection: NangoConnection,
    data: SyncRunData,
    host: NonNullable<RunHooks['host']>,
    signal: AbortSignal,
    operation?: OperationHandle,
    input?: unknown,
  ): Promise<void> {
    const run = { data, host, signal };
    await this.slots.run(() =>
      inRunSpan('sync', integration, sync, connection, () =>
        this.runNow(integration, sync, connection, input, undefined, run, operation),
      ),
    );
  }

  /**
   * Evaluates a file's code in a sandbox without running anything of it (a deployment's check that each function
   * loads), holding an action slot as a run does.
   * @throws WorkerError `action_load_failed`, `action_timeout` (evaluating it did not finish), `action_memory_exceeded`
   */
  async checkLoad(file: string, memoryMb: number, timeoutMs: number): Promise<void> {
    await this.slots.run(async () => {
      const compiled = await this.loader.load(file);
      const sandbox = await this.pool.acquire(memoryMb);
      try {
        await sandbox.load(compiled, timeoutMs);
      } finally {
        this.pool.give(sandbox);
      }
    });
  }

  /** Action slots free right now (none promised to a waiting run). */
  get freeSlots(): number {
    return this.slots.free;
  }

  /** Sandboxes running an action or a sync script right now, and those kept warm for the next run (for metrics). */
  get sandboxes(): { busy: number; idle: number } {
    return { busy: this.pool.busyCount, idle: this.pool.warmCount };
  }

  /** Calls `listener` whenever a run gives up its slot. */
  onSlotFreed(listener: () => void): void {
    this.slots.onRelease = listener;
  }

  /** Stops every sandbox, runs in them included (the worker is stopping). */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async runNow(
    integration: IntegrationConfig,
    action: ActionConfig,
    connection: NangoConnection,
    input: unknown,
    onStart: (() => Promise<void>) | undefined,
    sync: { data: SyncRunData; host: NonNullable<RunHooks['host']>; signal: AbortSignal } | undefined,
    operation: OperationHandle | undefined,
    host?: RunHooks['host'],
    nested?: NestedRun,
  ): Promise<EncodedJson> {
    const name = `${integration.name}.${action.name}`;
    const tags: Record<string, string> = {
      integration: integration.name,
      [sync ? 'sync' : 'action']: action.name,
      userId: connection.userId,
      executionId: randomUUID(),
    };
    // Every log line of the run (the action's own included) names its operation, so one finds the other.
    if (operation?.id) tags['operationId'] = operation.id;
    const started = performance.now();
    const log = (outcome: string, extra: Record<string, unknown> = {}) =>
      this.logger.info(
        { ...tags, durationMs: Math.round((performance.now() - started) * 100) / 100, outcome, ...extra },
        sync ? 'sync run' : 'action run',
      );
    let sandbox: Sandbox | undefined;
    let refusedToStart = false;
    try {
      const compiled = await this.loader.load(action.file);
      sandbox = nested ? this.pool.take(action.memoryMb) : await this.pool.acquire(action.memoryMb);
      await sandbox.load(compiled, action.timeoutMs);
      if (onStart) {
        await onStart().catch((error: unknown) => {
          refusedToStart = true;
          throw error;
        });
      }
      const hooks = this.hooks(integration, connection, tags, operation);
      const json = await sandbox.run(
        {
          compiled,
          name,
          connection,
          input,
          timeoutMs: action.timeoutMs,
          logLevels: logLevels(integration.logLevel),
          ...(sync && { sync: sync.data, signal: sync.signal }),
          ...(nested && { signal: nested.signal }),
        },
        sync ? { ...hooks, host: sync.host } : host ? { ...hooks, host } : hooks,
      );
      log('success');
      return new EncodedJson(json);
    } catch (error) {
      if (refusedToStart) throw error; // not a run of the action: nothing to log or classify
      // An action's own error may quote its Connection's credentials: neither the caller nor the log gets them.
      const redactor = new ActionLogRedactor(connection.credentials);
      const failure = withoutSecrets(
        error instanceof WorkerError
          ? error
          : new WorkerError('internal_error', 'The action run failed in the worker', { cause: error }),
        redactor,
      );
      // The caller gets the message; the stack stays here, in the log.
      const rawStack =
        (error as { actionStack?: string }).actionStack ??
        (isError(error) && !(error instanceof WorkerError) ? error.stack : undefined);
      const stack = rawStack === undefined ? undefined : redactor.message(rawStack);
      const { overLimitMs } = error as { overLimitMs?: number };
      log(failure.code, {
        error: failure.message,
        ...(overLimitMs !== undefined && { overLimitMs }),
        ...(stack !== undefined && { stack }),
      });
      if (operation) {
        if (overLimitMs !== undefined) operation.set({ overLimitMs });
        // The error itself is the operation's; the stack says where, after the action's own last lines.
        if (stack !== undefined) operation.message('error', cut(stack, MAX_STACK_MESSAGE), { code: failure.code });
      }
      throw failure;
    } finally {
      if (sandbox) this.pool.give(sandbox);
    }
  }

  /** What the sandbox asks of the worker: HTTP calls made here, with the worker's credentials and checks, and log lines. */
  private hooks(
    integration: IntegrationConfig,
    connection: NangoConnection,
    tags: Record<string, string>,
    operation: OperationHandle | undefined,
  ): RunHooks {
    // Nothing is recorded with NO_OPERATIONS (its handles have no id): then no line is redacted for it either.
    const recorded = operation?.id ? operation : undefined;
    let logger: ((level: string, message: string, fields?: Record<string, unknown>) => void) | undefined;
    const write = (level: string, message: string, fields?: Record<string, unknown>) => {
      const bindings = { ...tags, source: 'action' };
      logger ??= actionLog(
        this.logger.child(bindings, { level: integration.logLevel }),
        bindings,
        new ActionLogRedactor(connection.credentials),
        recorded,
      );
      logger(level, message, fields);
    };
    // What the worker did on the run's behalf (waiting on a learned rate limit, a 429 that taught one).
    const note = recorded && ((level: MessageLevel, text: string) => recorded.message(level, text));
    return {
      // Called when the sandbox asks, from outside the run's context: bound, its HTTP spans stay in the run's trace.
      http: bindToActiveContext((request: SandboxHttpRequest, signal: AbortSignal) =>
        performHttpRequest(
          integration,
          connection,
          {
            endpoint: request.endpoint,
            method: request.method,
            signal,
            warn: (message) => write('warn', message),
            ...(note && { note }),
            ...(request.params !== undefined && { params: request.params }),
            ...(request.form !== undefined
              ? { body: new URLSearchParams(request.form) }
              : request.body !== undefined && { body: request.body }),
            ...(request.headers !== undefined && { headers: request.headers }),
          },
          fetch,
          this.rateLimits,
        ),
      ),
      log: write,
    };
  }
}

/** Runs one action or sync run in a span `action <integration>.<name>` (or `sync …`), child of the call's span. */
function inRunSpan<T>(
  kind: 'action' | 'sync',
  integration: IntegrationConfig,
  script: ActionConfig,
  connection: NangoConnection,
  run: () => Promise<T>,
): Promise<T> {
  const attributes = {
    'nango.integration': integration.name,
    [`nango.${kind}`]: script.name,
    'nango.connection_id': connection.userId,
  };
  return inSpan(`${kind} ${integration.name}.${script.name}`, { attributes }, run);
}

/** The action logger's levels that the integration's log_level lets through, so the others are never sent. */
function logLevels(level: string): readonly string[] {
  const threshold = PINO_LEVELS[level] ?? 30;
  return ACTION_LOG_LEVELS.filter(([, value]) => value >= threshold).map(([name]) => name);
}

function withoutSecrets(failure: WorkerError, redactor: ActionLogRedactor): WorkerError {
  const message = redactor.message(failure.message);
  if (message === failure.message) return failure;
  // Keeps what the log reads off the error (the action's stack, how far past its limit it ran).
  const { actionStack, overLimitMs } = failure as { actionStack?: string; overLimitMs?: number };
  return Object.assign(new WorkerError(failure.code, message, { cause: failure.cause }), { actionStack, overLimitMs });
}

/**
 * Writes the action's own log lines (`this.logger` in the sandbox). Every line goes through the redactor, which knows
 * this Connection's secrets. Only the four levels pass: the level comes from the sandbox, where the action's code
 * could post anything. pino writes a field after the child's bindings without checking for the same key, so an
 * action logging `{ userId }` made a line with `userId` twice (and JSON readers keep only the last): a field named
 * like a binding goes under `fields` instead. The same redacted line becomes a message of the run's operation (the
 * sandbox sends only the levels the integration's log_level lets through).
 */
function actionLog(
  logger: Logger,
  bindings: Record<string, unknown>,
  redactor: ActionLogRedactor,
  operation: OperationHandle | undefined,
) {
  const clean = (fields: Record<string, unknown> | undefined): Record<string, unknown> => {
    if (fields === undefined || fields === null || typeof fields !== 'object') return {};
    if (!Object.keys(fields).some((key) => Object.hasOwn(bindings, key))) return fields;
    const own: Record<string, unknown> = {};
    const clashing: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) (Object.hasOwn(bindings, key) ? clashing : own)[key] = value;
    return { ...own, fields: clashing };
  };
  return (level: string, message: string, fields?: Record<string, unknown>): void => {
    if (!LEVEL_NAMES.has(level)) return;
    const logged = logger.isLevelEnabled(level);
    if (!logged && !operation) return;
    const safeFields = redactor.fields(clean(fields));
    const text = redactor.message(String(message));
    if (logged) logger[level as 'info'](safeFields, text);
    operation?.message(level as MessageLevel, text, operationFields(safeFields));
  };
}
