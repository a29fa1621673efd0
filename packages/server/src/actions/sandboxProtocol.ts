/**
 * The messages between the worker and an action sandbox (a worker thread), over the thread's MessagePort.
 * Everything here is structured-clone data: the sandbox holds no handle of the worker's (database, key, broker),
 * only what these messages carry.
 */
import type { HostCall, HostCallArgs as FunctionCallArgs, HttpParams, PaginateConfig, SyncCall } from '@nangohq/action';

/** A run's call to the worker: a sync's saves and checkpoints, any run's metadata writes. */
export type WorkerCall = SyncCall | HostCall;
import type { NangoConnection } from '@nangohq/protocol';

/**
 * Connections a sandbox keeps between runs, by uuid, the most recently run last; past this many the least recently
 * run goes. The worker mirrors what each sandbox holds (both sides apply the same steps to the same run messages), so
 * a run of a Connection held unchanged sends neither its fields nor its config again.
 */
export const HELD_CONNECTIONS = 32;

/** An error as it crosses the port: `code` set only for the platform's own errors (httpRequest, timeout). */
export interface SerialisedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

/** Worker → sandbox. */
export type ToSandbox =
  /** Evaluates a compiled action file and checks its export; answered by `loaded`. */
  | { type: 'load'; file: string; version: number; code: string; name: string; root: string }
  /** Runs an action already loaded at that version; answered by `done`. */
  | {
      type: 'run';
      id: number;
      file: string;
      version: number;
      name: string;
      /** The Connection's uuid: which of the Connections the sandbox holds this run is for. */
      uuid: string;
      /**
       * The Connection but its config, which comes as JSON text in `config`; absent when the sandbox holds this
       * Connection with these very fields (see HELD_CONNECTIONS).
       */
      connection?: Omit<NangoConnection, 'additionalConfig'>;
      /**
       * The Connection's config (additionalConfig) as JSON text, parsed in the sandbox only if the action reads it;
       * absent when it is the very text the sandbox holds for this Connection, so an unchanged config is not sent again.
       */
      config?: string;
      input: unknown;
      /** Log levels the action's logger sends; the others are dropped in the sandbox, unsent. */
      logLevels: readonly string[];
      /** Set for a sync run: the class must extend NangoSync, and gets this with its context. */
      sync?: SyncRunData;
    }
  /** The run's time limit passed: its signal is aborted with this error. */
  | { type: 'abort'; id: number; reason: SerialisedError }
  /** The outcome of an httpRequest the sandbox asked for. */
  | { type: 'http'; call: number; ok: true; response: unknown }
  | { type: 'http'; call: number; ok: false; error: SerialisedError }
  /** The outcome of a sync's batchSave, batchUpdate, batchDelete or saveCheckpoint. */
  | { type: 'host'; call: number; ok: true; value: unknown }
  | { type: 'host'; call: number; ok: false; error: SerialisedError };

/** What a sync run starts with. */
export interface SyncRunData {
  checkpoint: Record<string, unknown> | null;
  lastSyncDate: string | null;
  /** The variant the run is for. */
  variant?: string;
  paginate: Partial<PaginateConfig> | undefined;
}

/** Sandbox → worker. */
export type FromSandbox =
  /**
   * The thread is up, its script loaded: sent once, first. `tid` is its id in the operating system (Linux), where the
   * worker reads how much CPU the thread used (see SandboxPool), when it could tell.
   */
  | { type: 'hello'; tid?: number }
  | { type: 'loaded'; file: string; version: number; error?: SerialisedError }
  /** The run ended: `json` is the result already encoded, or `error` says why not. */
  | { type: 'done'; id: number; json: string | undefined; error?: SerialisedError; notJson?: true }
  | { type: 'http'; id: number; call: number; request: SandboxHttpRequest }
  | { type: 'host'; id: number; call: number; method: WorkerCall; args: HostCallArgs }
  | { type: 'log'; id: number; level: string; message: string; fields: Record<string, unknown> | undefined }
  /**
   * The sandbox is about to die: an exception nobody caught, or process.exit(). `id` is the run whose code
   * did it (the one that scheduled the callback), when known; the sandbox exits right after.
   */
  | { type: 'fatal'; id: number | undefined; error: SerialisedError; exitCode?: number };

/** One `this.httpRequest(...)` as it crosses the port. A URLSearchParams body travels as its text. */
export interface SandboxHttpRequest {
  endpoint: string;
  method: string;
  params?: HttpParams;
  body?: unknown;
  form?: string;
  headers?: Record<string, string>;
}

/** The arguments of a run's call to the worker: a deployed function's (see @nangohq/action), a sync's. */
export interface HostCallArgs extends FunctionCallArgs {
  model?: string;
  records?: unknown[];
  /** getRecordsByIds' ids. */
  ids?: unknown[];
  checkpoint?: unknown;
}
