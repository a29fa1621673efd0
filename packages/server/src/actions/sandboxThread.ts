/**
 * The entry point of an action sandbox: a worker thread that evaluates action files and runs one action at a
 * time for the worker. It holds no handle of the worker's (database, key, broker): the Connection and the input
 * come in a message, httpRequest and the logger go back as messages, and the worker does the HTTP call with its
 * own credential handling and host checks (see sandboxProtocol).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { NangoConnection } from '@nangohq/protocol';
import {
  ACTION_CONTEXT,
  NangoSync,
  type ActionContext,
  type ActionLogger,
  type HttpResponse,
  type SyncCall,
} from '@nangohq/action';
import { isError } from '../describeError';
import { WorkerError } from '../errors';
import { withStoredConfig } from '../store/storedConfig';
import { evaluateAction, type ActionClass } from './evaluateAction';
import { HeldConnections } from './HeldConnections';
import type { FromSandbox, HostCallArgs, SandboxHttpRequest, SerialisedError, ToSandbox, WorkerCall } from './sandboxProtocol';

if (!parentPort) throw new Error('sandboxThread runs only as a worker thread');
const port = parentPort;
process.setSourceMapsEnabled(true); // stack traces point at the action's .ts lines

/** The run whose code is on the stack, through every callback it schedules: a late throw is pinned on it. */
const currentRun = new AsyncLocalStorage<number>();
const classes = new Map<string, { version: number; actionClass: ActionClass }>();
const aborts = new Map<number, (reason: Error) => void>();
const pendingHttp = new Map<number, { resolve: (response: HttpResponse) => void; reject: (error: Error) => void }>();
const pendingHost = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
/** Errors the platform made (httpRequest's, the timeout's): they keep their code when an action rethrows them. */
const platformErrors = new WeakSet<object>();
let httpCalls = 0;
/** The Connections of recent runs: the worker sends one's fields or config only when they changed (see HeldConnections). */
const held = new HeldConnections<Omit<NangoConnection, 'additionalConfig'>>();

const post = (message: FromSandbox) => port.postMessage(message);
post({ type: 'hello', ...osThreadId() });

port.on('message', (message: ToSandbox) => {
  switch (message.type) {
    case 'load':
      return load(message);
    case 'run':
      return void currentRun.run(message.id, () => run(message));
    case 'abort':
      return aborts.get(message.id)?.(platformError(message.reason));
    case 'http': {
      const pending = pendingHttp.get(message.call);
      pendingHttp.delete(message.call);
      if (message.ok) pending?.resolve(message.response as HttpResponse);
      else pending?.reject(platformError(message.error));
      return;
    }
    case 'host': {
      const pending = pendingHost.get(message.call);
      pendingHost.delete(message.call);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(platformError(message.error));
    }
  }
});

// A throw nobody catches, from a timer or a floating promise: tell the worker whose it was, then die, since
// nothing in this thread can be trusted afterwards. The worker replaces the sandbox.
const die = (error: unknown) => {
  post({ type: 'fatal', id: currentRun.getStore(), error: serialise(error) });
  realExit(1);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);
const realExit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const message = `called process.exit(${code ?? ''})`;
  post({ type: 'fatal', id: currentRun.getStore(), error: { name: 'Error', message }, exitCode: Number(code ?? 0) });
  realExit(code ?? 0);
}) as typeof process.exit;
// process.kill(process.pid) would take the whole worker down with this thread.
const realKill = process.kill.bind(process);
process.kill = ((pid: number, signal?: string | number) => {
  if (pid === process.pid || pid === process.ppid || pid <= 0) throw new Error('an action may not signal its worker');
  return realKill(pid, signal);
}) as typeof process.kill;

function load(message: Extract<ToSandbox, { type: 'load' }>): void {
  try {
    const actionClass = evaluateAction(message.file, message.name, message.code, message.root);
    classes.set(message.file, { version: message.version, actionClass });
    post({ type: 'loaded', file: message.file, version: message.version });
  } catch (error) {
    post({ type: 'loaded', file: message.file, version: message.version, error: serialise(error) });
  }
}

async function run(message: Extract<ToSandbox, { type: 'run' }>): Promise<void> {
  const { id, name } = message;
  // Before anything can throw: the worker counts what it sent as held whatever becomes of the run.
  const was = held.get(message.uuid);
  const fields = message.connection ?? was?.fields;
  const config = message.config ?? was?.config;
  if (fields !== undefined && config !== undefined) held.hold(message.uuid, { fields, config });
  // Built on first use: most actions never read their signal or log.
  let controller: AbortController | undefined;
  let logger: ActionLogger | undefined;
  const signal = () => (controller ??= new AbortController()).signal;
  aborts.set(id, (reason) => (controller ??= new AbortController()).abort(reason));
  try {
    const loaded = classes.get(message.file);
    if (loaded?.version !== message.version) throw new Error(`${name} is not loaded in this sandbox`);
    const instance = new loaded.actionClass();
    if (message.sync !== undefined && !(instance instanceof NangoSync)) {
      throw platformError({
        name: 'WorkerError',
        code: 'action_load_failed',
        message: `${name}: a sync file must export a class extending NangoSync (with fetchData), not NangoAction`,
      });
    }
    if (fields === undefined || config === undefined) throw new Error(`${name}: its Connection was not sent to this sandbox`);
    let connection: NangoConnection | undefined;
    const context: ActionContext = {
      // Made when the action reads it, afresh for each run from what the sandbox holds (the config parsed then too):
      // a run cannot see what an earlier one changed in it, and a run that never reads it costs nothing.
      get connection() {
        return (connection ??= withStoredConfig(structuredClone(fields), config));
      },
      get signal() {
        return signal();
      },
      get logger() {
        return (logger ??= actionLogger(id, message.logLevels));
      },
      httpRequest: (endpoint, method, params, body, headers) =>
        httpRequest(id, signal(), { endpoint, method, params, body, headers }),
      ...(message.sync !== undefined && {
        sync: { ...message.sync, call: (method: SyncCall, args: HostCallArgs) => hostCall(id, signal(), method, args) },
      }),
      call: (method, args) => hostCall(id, signal(), method, args),
    };
    instance[ACTION_CONTEXT] = context;
    const result = await instance.executeAction(message.input);
    post({ type: 'done', id, json: encodeResult(result, name) });
  } catch (error) {
    post({ type: 'done', id, json: undefined, error: serialise(error, name) });
  } finally {
    aborts.delete(id);
  }
}

function httpRequest(
  id: number,
  signal: AbortSignal,
  call: Omit<SandboxHttpRequest, 'form'> & { params: unknown; body: unknown; headers: unknown },
): Promise<HttpResponse> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  const request = { ...call, ...encodeBody(call.body) } as SandboxHttpRequest;
  const number = ++httpCalls;
  return new Promise((resolve, reject) => {
    pendingHttp.set(number, { resolve, reject });
    try {
      post({ type: 'http', id, call: number, request });
    } catch (error) {
      pendingHttp.delete(number);
      reject(platformError({ name: 'WorkerError', code: 'http_request_invalid', message: `httpRequest ${describe(error)}` }));
    }
  });
}

/** A sync's batchSave (and the like), done by the worker: records are cloned as plain data (JSON and back). */
function hostCall(id: number, signal: AbortSignal, method: WorkerCall, args: HostCallArgs): Promise<unknown> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let plain: HostCallArgs;
  try {
    plain = JSON.parse(JSON.stringify(args)) as HostCallArgs;
  } catch (error) {
    const message = `${method}: the records cannot be saved as JSON: ${describe(error)}`;
    return Promise.reject(platformError({ name: 'WorkerError', code: 'invalid_records', message }));
  }
  const number = ++httpCalls;
  return new Promise((resolve, reject) => {
    pendingHost.set(number, { resolve, reject });
    post({ type: 'host', id, call: number, method, args: plain });
  });
}

/**
 * A body as it crosses the port. Structured cloning would silently empty a URLSearchParams or a class instance
 * with toJSON, so those take the route the worker would have taken: form text, or JSON and back.
 */
function encodeBody(body: unknown): { body?: unknown; form?: string } {
  if (body === undefined || body === null || typeof body === 'string' || ArrayBuffer.isView(body)) return { body };
  if (body instanceof ArrayBuffer) return { body };
  if (body instanceof URLSearchParams) return { form: String(body) };
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch (error) {
    throw platformError({
      name: 'WorkerError',
      code: 'http_request_invalid',
      message: `httpRequest body cannot be sent as JSON: ${describe(error)}`,
    });
  }
  if (json === undefined) {
    const message = `httpRequest body cannot be sent as JSON: it is a ${typeof body}`;
    throw platformError({ name: 'WorkerError', code: 'http_request_invalid', message });
  }
  return { body: JSON.parse(json) as unknown };
}

function actionLogger(id: number, levels: readonly string[]): ActionLogger {
  const method =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (!levels.includes(level)) return;
      const line: FromSandbox = { type: 'log', id, level, message: String(message), fields };
      try {
        post(line);
      } catch {
        // Fields the port cannot carry (functions, for one) are sent as their JSON, as the log would show them.
        post({ ...line, fields: jsonSafe(fields) });
      }
    };
  return { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}

/** Encodes the result once, here, so the worker sends it as it is; a value JSON cannot carry is the action's mistake. */
function encodeResult(result: unknown, name: string): string | undefined {
  const type = typeof result;
  if (type === 'function' || type === 'symbol' || type === 'bigint') {
    throw platformError({
      name: 'WorkerError',
      code: 'action_result_not_json',
      message: `${name} returned a ${type}, which cannot be sent as JSON`,
    });
  }
  try {
    return JSON.stringify(result);
  } catch (error) {
    throw platformError({
      name: 'WorkerError',
      code: 'action_result_not_json',
      message: `${name} returned a value that cannot be sent as JSON: ${describe(error)}`,
    });
  }
}

/** This thread's id in the operating system, from /proc (Linux); none elsewhere. */
function osThreadId(): { tid?: number } {
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isInteger(tid) ? { tid } : {};
  } catch {
    return {};
  }
}

function platformError(error: SerialisedError): Error {
  const made = Object.assign(new Error(error.message), { name: error.name, code: error.code });
  platformErrors.add(made);
  return made;
}

/** An error for the port: the code only for the platform's own errors, so an action cannot forge one. */
function serialise(error: unknown, name = 'the action'): SerialisedError {
  if (error instanceof WorkerError || (isError(error) && platformErrors.has(error))) {
    const { code } = error as unknown as { code: string };
    return { name: error.name, message: error.message, code, ...(error.stack !== undefined && { stack: error.stack }) };
  }
  if (isError(error)) {
    const message = error.message || `${name} threw ${error.name}`;
    return { name: error.name, message, ...(error.stack !== undefined && { stack: error.stack }), ...actionErrorPayload(error) };
  }
  return { name: 'Error', message: `${name} threw a non-Error value: ${describe(error)}` };
}

/**
 * The payload of an `ActionError` (ours, `nango.ActionError`, or the one the official `nango` package bundles: both
 * are marked `type: 'action_script_runtime_error'`), as JSON; a payload that is not JSON is replaced by a note so the
 * caller learns why it is missing.
 */
function actionErrorPayload(error: Error): { payload?: unknown } {
  const { type, payload } = error as Error & { type?: unknown; payload?: unknown };
  if (type !== 'action_script_runtime_error') return {};
  try {
    const json = JSON.stringify(payload ?? {});
    return { payload: JSON.parse(json) as unknown };
  } catch (problem) {
    return { payload: { message: error.message, payloadError: `its payload is not JSON: ${describe(problem)}` } };
  }
}

function describe(value: unknown): string {
  if (isError(value)) return value.message || value.name;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function jsonSafe(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  try {
    return fields === undefined ? undefined : (JSON.parse(JSON.stringify(fields)) as Record<string, unknown>);
  } catch {
    return { fields: '[cannot be logged]' };
  }
}
