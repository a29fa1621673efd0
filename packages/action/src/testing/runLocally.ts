import type { NangoConnection } from '@nangohq/protocol';
import { ACTION_CONTEXT, type ActionContext, type SyncCall } from '../context';
import type { HttpResponse } from '../http';
import { NangoAction } from '../NangoAction';
import { NangoSync } from '../NangoSync';
import type { ActionLogger } from '../withWinstonMethods';
import type { ModelChanges, RecordedResult } from './Recording';

/** A class an action or sync file exports. */
export type FunctionClass = new () => NangoAction<unknown, unknown>;

/** Where a local run's `httpRequest` goes: the server's proxy in a dry run, a recording in a replay. */
export type LocalHttp = ActionContext['httpRequest'];

/** One line the function logged. */
export interface LoggedLine {
  level: keyof ActionLogger;
  message: string;
  fields?: Record<string, unknown>;
}

export interface LocalRunOptions {
  connection: NangoConnection;
  http: LocalHttp;
  /** An action's input. Default: {} */
  input?: unknown;
  /** A sync's checkpoint at the start. Default: null (a first run) */
  checkpoint?: Record<string, unknown> | null;
  /** A sync's last successful run (ISO 8601). Default: null */
  lastSyncDate?: string | null;
  /** Called for each line the function logs, besides keeping it in the result. */
  onLog?: (line: LoggedLine) => void;
  /** Aborts the run's signal. Default: never */
  signal?: AbortSignal;
}

/** What a local run produced: the recordable part, plus the log lines. */
export interface LocalRunResult extends RecordedResult {
  readonly logs: readonly LoggedLine[];
}

/** Whether the class is a sync (extends NangoSync) rather than an action. */
export function isSyncClass(functionClass: FunctionClass): boolean {
  return functionClass.prototype instanceof NangoSync;
}

/**
 * Runs an action or sync class in this process, as the worker would run it, but keeping every write in memory: a
 * sync's batchSave, batchUpdate, batchDelete and saveCheckpoint are collected in the result, never sent anywhere.
 * What it calls goes through `options.http`. Throws what the function throws.
 */
export async function runLocally(functionClass: FunctionClass, options: LocalRunOptions): Promise<LocalRunResult> {
  if (typeof functionClass !== 'function' || !(functionClass.prototype instanceof NangoAction)) {
    throw new TypeError('runLocally: give the class the file exports (one extending NangoAction or NangoSync)');
  }
  const logs: LoggedLine[] = [];
  const log =
    (level: keyof ActionLogger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const line: LoggedLine = fields === undefined ? { level, message } : { level, message, fields };
      logs.push(line);
      options.onLog?.(line);
    };
  const records: Record<string, ModelChanges> = {};
  let checkpoint = options.checkpoint ?? null;
  const changesOf = (model: unknown): ModelChanges => {
    if (typeof model !== 'string' || model === '') throw new Error('batchSave, batchUpdate and batchDelete need a model name');
    return (records[model] ??= { saved: [], updated: [], deleted: [] });
  };
  const syncCall = async (method: SyncCall, args: { model?: string; records?: unknown[]; checkpoint?: unknown }) => {
    // Copied as JSON, as the worker receives them: a function changing its objects later changes nothing here.
    const copy = JSON.parse(JSON.stringify(args.records ?? [])) as unknown[];
    if (method === 'batchSave') changesOf(args.model).saved.push(...copy);
    else if (method === 'batchUpdate') changesOf(args.model).updated.push(...copy);
    else if (method === 'batchDelete') changesOf(args.model).deleted.push(...copy);
    else checkpoint = JSON.parse(JSON.stringify(args.checkpoint ?? null)) as Record<string, unknown> | null;
    return true;
  };
  const context: ActionContext = {
    connection: options.connection,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    signal: options.signal ?? new AbortController().signal,
    httpRequest: (...args): Promise<HttpResponse> => options.http(...args),
    ...(isSyncClass(functionClass) && {
      sync: { checkpoint, lastSyncDate: options.lastSyncDate ?? null, paginate: undefined, call: syncCall },
    }),
  };
  const instance = new functionClass();
  instance[ACTION_CONTEXT] = context;
  const output = await instance.executeAction(options.input ?? {});
  return {
    ...(isSyncClass(functionClass) ? {} : { output: output === undefined ? undefined : JSON.parse(JSON.stringify(output)) }),
    records,
    checkpoint,
    logs,
  };
}
