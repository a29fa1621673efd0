import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import type { HttpResponse } from '@nangohq/action';
import { isErrorCode, type NangoConnection } from '@nangohq/protocol';
import { describeError } from '../describeError';
import { WorkerError } from '../errors';
import { keepHeapBounds } from '../heapBounds';
import type { Logger } from '../logger';
import { configJsonOf, withoutConfig } from '../store/storedConfig';
import type { CompiledAction } from './ActionLoader';
import { HeldConnections, sameFieldsAs } from './HeldConnections';
import { withoutRoot } from './withoutRoot';
import type {
  FromSandbox,
  HostCallArgs,
  SandboxHttpRequest,
  SerialisedError,
  SyncRunData,
  ToSandbox,
  WorkerCall,
} from './sandboxProtocol';

/** The young generation of a sandbox's heap at most, in MB (V8's own default is 48). */
export const SANDBOX_YOUNG_GENERATION_MB = 12;

/** How long a run past its time limit has to settle after its signal is aborted before its thread is stopped. */
export const ABORT_GRACE_MS = 250;

/** What one run needs from the worker while it runs: its HTTP calls and its log lines (and a sync's saves). */
export interface RunHooks {
  http(request: SandboxHttpRequest, signal: AbortSignal): Promise<HttpResponse>;
  log(level: string, message: string, fields: Record<string, unknown> | undefined): void;
  /**
   * A sync run's batchSave, batchUpdate, batchDelete, saveCheckpoint; a deployed function's setMetadata,
   * updateMetadata, triggerAction and the like. `signal` is aborted when the run is stopped (its time limit), so
   * what the call started (another action's run) stops with it.
   */
  host?(method: WorkerCall, args: HostCallArgs, signal: AbortSignal): Promise<unknown>;
}

/** One run as the sandbox is asked for it. */
export interface RunRequest {
  compiled: CompiledAction;
  /** `<integration>.<action>`, for messages. */
  name: string;
  connection: NangoConnection;
  input: unknown;
  timeoutMs: number;
  logLevels: readonly string[];
  /** Set for a sync run. */
  sync?: SyncRunData;
  /** Stops the run like its time limit does, with the signal's reason (a WorkerError) as its error. */
  signal?: AbortSignal;
}

/** The run in a sandbox, with what settles it. */
interface ActiveRun {
  id: number;
  name: string;
  hooks: RunHooks;
  http: AbortController | undefined;
  settle: (outcome: { json: string | undefined } | { error: WorkerError; stack?: string }) => void;
}

let runIds = 0;

/**
 * One worker thread that runs actions, one at a time, under a heap cap (`resourceLimits`). The worker can always
 * stop it, whatever the action does (a CPU loop included): `terminate()` ends the thread's JavaScript at once.
 * When the thread dies (stopped, out of memory, process.exit, a throw nobody caught) the run in it ends with an
 * error that says which, and the sandbox is not used again.
 */
export class Sandbox {
  private readonly thread: Thread;
  private readonly loaded = new Map<string, number>();
  private readonly loading = new Map<string, (error: SerialisedError | undefined) => void>();
  private active: ActiveRun | undefined;
  /** What the thread holds of the Connections it ran (a mirror: see HeldConnections), so that it is not sent again. */
  private readonly held = new HeldConnections<Record<string, unknown>>();
  /** Why the thread died, as the run in it hears it; set by the first of: OOM, fatal message, exit. */
  private death: { error: WorkerError; stack?: string } | undefined;
  private alive = true;
  /** httpRequest and host calls of the run in it that the worker has not answered yet. */
  private callsOut = 0;
  /** When the thread said it was up, its script loaded (performance.now()): until then it is still booting. */
  bootedAt: number | undefined;
  /** The thread's id in the operating system, when it could tell (Linux). */
  private tid: number | undefined;
  /** Resolves once the thread has exited. */
  readonly exited: Promise<void>;

  /** @param logger where code that throws outside any run, or into another run, is reported */
  constructor(
    readonly memoryMb: number,
    private readonly logger?: Logger,
  ) {
    const entry = threadEntry();
    this.thread = new Thread(entry.code ?? entry.file, {
      eval: entry.code !== undefined,
      // The young generation's cap too: V8 would let each sandbox's grow to 48 MB and keep it; an action's garbage
      // between two collections rarely needs more than a few MB (a sandbox's heap is most of its resident memory).
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: SANDBOX_YOUNG_GENERATION_MB },
      env: sandboxEnv(process.env),
      stdout: false,
      stderr: false,
    });
    this.thread.unref(); // an idle sandbox never keeps the process alive
    keepHeapBounds(this.thread);
    this.thread.on('message', (message: FromSandbox) => this.onMessage(message));
    this.thread.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.death ??= {
          error: new WorkerError(
            'action_memory_exceeded',
            `${this.active?.name ?? 'the action'} used more than its memory cap of ${memoryMb} MB (action_memory_mb) and was stopped`,
          ),
        };
      } else this.death ??= { error: crashed(this.active?.name, error.message), ...(error.stack && { stack: error.stack }) };
    });
    this.exited = new Promise((resolve) =>
      this.thread.once('exit', () => {
        this.alive = false;
        for (const resolveLoad of this.loading.values()) resolveLoad({ name: 'Error', message: 'the sandbox stopped' });
        this.loading.clear();
        const death = this.death ?? { error: crashed(this.active?.name, 'its thread exited') };
        this.active?.settle(death);
        resolve();
      }),
    );
  }

  /** True while its run waits on the worker (an httpRequest, a sync's save): it holds the sandbox without using it. */
  get waitsOnWorker(): boolean {
    return this.callsOut > 0;
  }

  /** False once the thread has died or is being stopped: the sandbox must not be used again. */
  get usable(): boolean {
    return this.alive && this.death === undefined;
  }

  /**
   * Evaluates `compiled` in the thread unless this version already is, within `timeoutMs`.
   * @throws WorkerError `action_load_failed`; `action_timeout` when evaluating it does not finish (the thread is stopped)
   */
  async load(compiled: CompiledAction, timeoutMs: number): Promise<void> {
    if (this.loaded.get(compiled.file) === compiled.version) return;
    const key = `${compiled.version}`;
    const loaded = new Promise<SerialisedError | undefined>((resolve) => this.loading.set(key, resolve));
    const { file, version, code, name, root } = compiled;
    this.send({ type: 'load', file, version, code, name, root });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void this.stop();
    }, timeoutMs);
    const error = await loaded.finally(() => clearTimeout(timer));
    await (timedOut ? this.exited : undefined);
    if (timedOut) {
      throw new WorkerError('action_timeout', `${compiled.name}: loading did not finish within ${timeoutMs} ms; it was stopped`);
    }
    if (this.death?.error.code === 'action_memory_exceeded') throw this.death.error;
    if (this.death) {
      throw new WorkerError(
        'action_load_failed',
        `${compiled.name}: stopped its sandbox while loading: ${withoutRoot(this.death.error.message, compiled.root)}`,
      );
    }
    if (error) throw new WorkerError('action_load_failed', error.message);
    this.loaded.set(compiled.file, compiled.version);
  }

  /**
   * Runs an action loaded with `load`. Past its time limit its signal is aborted; if it has not settled
   * ABORT_GRACE_MS later, the thread is stopped. Settles only once the run has really ended.
   * @returns the result, already encoded as JSON
   * @throws WorkerError with the action's or the platform's code; `stack` holds the action's stack for the log;
   *   `invalid_message` when the input cannot be handed to the thread (nothing ran)
   */
  async run(request: RunRequest, hooks: RunHooks): Promise<string | undefined> {
    const id = ++runIds;
    const { name, timeoutMs } = request;
    let timedOut = 0;
    const outcome = new Promise<{ json: string | undefined } | { error: WorkerError; stack?: string }>((settle) => {
      this.active = { id, name, hooks, http: undefined, settle };
    });
    // The config goes as text, not as an object: cloning a large object across the port costs far more than its
    // text, and most actions never read it (the sandbox parses it when one does). Neither goes again while the thread
    // holds them unchanged for this Connection: a run then costs its input and a few names to send.
    const { connection } = request;
    const uuid = connection.uuid;
    const held = this.held.get(uuid);
    const config = configJsonOf(connection);
    const fields = held && sameFieldsAs(held.fields, connection) ? undefined : withoutConfig(connection);
    const newConfig = held?.config === config ? undefined : config;
    try {
      this.send({
        type: 'run',
        id,
        file: request.compiled.file,
        version: request.compiled.version,
        name,
        uuid,
        ...(fields !== undefined && { connection: fields }),
        ...(newConfig !== undefined && { config: newConfig }),
        input: request.input,
        logLevels: request.logLevels,
        ...(request.sync !== undefined && { sync: request.sync }),
      });
    } catch (error) {
      // Nothing was sent (the clone failed first: input nested past what the port can carry), so nothing ran.
      this.active = undefined;
      throw new WorkerError('invalid_message', `The input cannot be handed to ${name}: ${describeError(error)}`);
    }
    // A copy, not the caller's object: what is compared next time must be what the thread got, whoever changes it since.
    this.held.hold(uuid, { fields: fields === undefined ? held!.fields : structuredClone(fields), config });
    let grace: NodeJS.Timeout | undefined;
    let stoppedBy: WorkerError | undefined;
    const stopRun = (reason: WorkerError) => {
      if (grace) return;
      this.active?.http?.abort(reason);
      this.send({ type: 'abort', id, reason: { name: reason.name, message: reason.message, code: reason.code } });
      grace = setTimeout(() => void this.stop(), ABORT_GRACE_MS);
    };
    const deadline = setTimeout(() => {
      timedOut = performance.now();
      stopRun(new WorkerError('action_timeout', `${name} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    // A caller's own reason to stop (a sync whose lease is lost, a worker stopping): the same path as the time limit.
    const onAbort = () => {
      const reason = request.signal?.reason;
      stoppedBy = reason instanceof WorkerError ? reason : new WorkerError('action_timeout', `${name} was stopped`);
      stopRun(stoppedBy);
    };
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
    const result = await outcome;
    request.signal?.removeEventListener('abort', onAbort);
    clearTimeout(deadline);
    clearTimeout(grace);
    this.active = undefined;
    if (stoppedBy && !timedOut) throw stoppedBy;
    if (timedOut) {
      // However it ended (settled late, stopped, died), the caller hears of the time limit, and only now.
      const how = this.alive ? 'it was aborted' : 'it was stopped';
      throw Object.assign(new WorkerError('action_timeout', `${name} did not finish within ${timeoutMs} ms; ${how}`), {
        actionStack: 'stack' in result ? result.stack : undefined,
        // From the time limit to the run's end (its thread exited, when stopped), for the log.
        overLimitMs: Math.round(performance.now() - timedOut),
      });
    }
    if ('error' in result) throw Object.assign(result.error, { actionStack: result.stack });
    return result.json;
  }

  /** Stops the thread, whatever it is doing, and resolves once it has exited. */
  stop(): Promise<void> {
    if (this.alive) void this.thread.terminate();
    return this.exited;
  }

  private send(message: ToSandbox): void {
    if (this.alive) this.thread.postMessage(message);
  }

  /**
   * CPU time the thread has used, in ns, from /proc (Linux; a read costs some 10 µs, so not for every run); undefined
   * where it cannot be read.
   */
  cpuNs(): number | undefined {
    if (this.tid === undefined || !this.alive) return undefined;
    try {
      return Number(readFileSync(`/proc/self/task/${this.tid}/schedstat`, 'utf8').split(' ', 1)[0]);
    } catch {
      return undefined;
    }
  }

  private onMessage(message: FromSandbox): void {
    const active = this.active;
    switch (message.type) {
      case 'hello':
        this.bootedAt = performance.now();
        this.tid = message.tid;
        return;
      case 'loaded':
        this.loading.get(`${message.version}`)?.(message.error);
        this.loading.delete(`${message.version}`);
        return;
      case 'done':
        if (active?.id !== message.id) return;
        if (!message.error) return active.settle({ json: message.json });
        return active.settle(toWorkerError(message.error, active.name));
      case 'http':
        if (active?.id === message.id) this.forwardHttp(active, message.call, message.request);
        return;
      case 'log':
        if (active?.id === message.id) active.hooks.log(message.level, message.message, message.fields);
        return;
      case 'host':
        if (active?.id === message.id) this.forwardHost(active, message.call, message.method, message.args);
        return;
      case 'fatal':
        if (active?.id !== message.id) {
          // No run of its own to report it: the log is the only place it shows.
          const { message: error, stack } = message.error;
          this.logger?.warn(
            { error, stack },
            'action code threw after its run ended (in a timer or a promise nobody awaited); its sandbox is replaced',
          );
        }
        this.death ??= fatalError(message, active);
        return;
    }
  }

  private forwardHost(active: ActiveRun, call: number, method: WorkerCall, args: HostCallArgs): void {
    // The same controller as the run's HTTP calls: stopping the run stops what it asked for.
    active.http ??= new AbortController();
    this.callsOut++;
    void hostOutcome(active.hooks, method, args, active.http.signal).then((outcome) => {
      this.callsOut--;
      this.send({ type: 'host', call, ...outcome });
    });
  }

  private forwardHttp(active: ActiveRun, call: number, request: SandboxHttpRequest): void {
    active.http ??= new AbortController();
    this.callsOut++;
    active.hooks.http(request, active.http.signal).then(
      (response) => {
        this.callsOut--;
        try {
          this.send({ type: 'http', call, ok: true, response });
        } catch (error) {
          // A response field the port cannot clone (a function, say) must fail the call, not leave it hanging.
          const message = `httpRequest's response cannot be handed to the action: ${describeError(error)}`;
          this.send({ type: 'http', call, ok: false, error: { name: 'WorkerError', message, code: 'internal_error' } });
        }
      },
      (error: unknown) => {
        this.callsOut--;
        const { name, message, code } =
          error instanceof WorkerError ? error : new WorkerError('http_request_failed', String(error));
        this.send({ type: 'http', call, ok: false, error: { name, message, code } });
      },
    );
  }
}

/** A sync's call to the worker, answered with its value or its error (a WorkerError keeps its code). */
function hostOutcome(
  hooks: RunHooks,
  method: WorkerCall,
  args: HostCallArgs,
  signal: AbortSignal,
): Promise<{ ok: true; value: unknown } | { ok: false; error: SerialisedError }> {
  const call = hooks.host
    ? hooks.host(method, args, signal)
    : Promise.reject(new WorkerError('internal_error', `${method} is not available in this run`));
  return call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => {
      const { name, message, code } = error instanceof WorkerError ? error : new WorkerError('internal_error', String(error));
      return { ok: false as const, error: { name, message, code } };
    },
  );
}

function toWorkerError(error: SerialisedError, name: string): { error: WorkerError; stack?: string } {
  const stack = error.stack === undefined ? {} : { stack: error.stack };
  if (error.code !== undefined && isErrorCode(error.code)) return { error: new WorkerError(error.code, error.message), ...stack };
  const payload = error.payload === undefined ? {} : { payload: error.payload };
  return { error: new WorkerError('action_failed', error.message || `${name} threw ${error.name}`, payload), ...stack };
}

/** A throw or exit in the sandbox: the run that caused it hears `action_failed`; a bystander, a retryable crash. */
function fatalError(
  message: Extract<FromSandbox, { type: 'fatal' }>,
  active: ActiveRun | undefined,
): { error: WorkerError; stack?: string } {
  const stack = message.error.stack === undefined ? {} : { stack: message.error.stack };
  const own = active !== undefined && (message.id === undefined || message.id === active.id);
  if (!own) return { error: crashed(active?.name, `code of an earlier run ${message.error.message}`), ...stack };
  const what =
    message.exitCode !== undefined
      ? `${message.error.message}; its sandbox was stopped`
      : `threw outside executeAction (in a timer or callback): ${message.error.message}`;
  return { error: new WorkerError('action_failed', `${active.name} ${what}`), ...stack };
}

function crashed(name: string | undefined, why: string): WorkerError {
  return new WorkerError(
    'action_sandbox_crashed',
    `The sandbox running ${name ?? 'the action'} stopped (${why}) before it finished; it may have partly run`,
  );
}

/**
 * The environment an action sees: the worker's, without its own settings (NANGO_*), which hold the broker URL
 * with its password and the encryption key.
 */
function sandboxEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('NANGO_') && value !== undefined) copy[key] = value;
  return copy;
}

let entry: { file: string; code?: string } | undefined;

/**
 * The thread's script: the compiled sandboxThread.js next to this file; when running from the TypeScript
 * sources (the tests), that file bundled on the fly.
 */
function threadEntry(): { file: string; code?: string } {
  if (entry) return entry;
  const file = join(__dirname, 'sandboxThread.js');
  if (existsSync(file)) return (entry = { file });
  const source = join(__dirname, 'sandboxThread.ts');
  // esbuild is loaded only here, when running from the TypeScript sources (tests): never by a built server.
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const built = buildSync({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
  });
  return (entry = { file: source, code: built.outputFiles[0]!.text });
}
