import type { NangoConnection } from '@nangohq/protocol';
import type { HttpParams, HttpResponse } from './http';
import type { PaginateConfig } from './paginate';
import type { ActionLogger } from './withWinstonMethods';

/** What the worker gives an action for one run. */
export interface ActionContext {
  connection: NangoConnection;
  logger: ActionLogger;
  /** Aborted when the run's time limit passes or the worker shuts down. */
  signal: AbortSignal;
  httpRequest(
    endpoint: string,
    method: string,
    params?: HttpParams,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResponse>;
  /** Set only for sync runs (see NangoSync). */
  sync?: SyncContext;
  /** The worker's side of a deployed function's calls that need more than its own Connection (see FunctionRuntime). */
  call?(method: HostCall, args: HostCallArgs): Promise<unknown>;
}

/** Key under which the worker attaches the ActionContext to an action instance. */
export const ACTION_CONTEXT: unique symbol = Symbol('nango.actionContext');

/** What the worker gives a sync run besides an action's context. */
export interface SyncContext {
  /** The checkpoint the last run saved, null on a first run or after a reset. */
  checkpoint: Record<string, unknown> | null;
  /** When the last successful run started (ISO), null on a first run. */
  lastSyncDate: string | null;
  /** The sync variant this run is for (`base` unless the app made others). Absent from older workers: `base`. */
  variant?: string;
  /** The provider's `proxy.paginate` from the catalog, the default of {@link NangoSync.paginate}. */
  paginate: Partial<PaginateConfig> | undefined;
  /**
   * The worker's side of batchSave, batchUpdate, batchDelete and saveCheckpoint; of a deployed function's
   * clearCheckpoint, trackDeletesEnd (records of `model` this run did not save, marked deleted) and getRecordsByIds
   * (the saved records of `model` with those `ids`, deleted ones left out).
   */
  call(method: SyncCall, args: { model?: string; records?: unknown[]; ids?: string[]; checkpoint?: unknown }): Promise<unknown>;
}

export type SyncCall =
  'batchSave' | 'batchUpdate' | 'batchDelete' | 'saveCheckpoint' | 'clearCheckpoint' | 'trackDeletesEnd' | 'getRecordsByIds';

/**
 * What any run may ask the worker besides a sync's calls: its Connection's metadata written, another action run
 * (`triggerAction`), another Connection read, what the worker knows of the integration and environment.
 */
export type HostCall =
  'setMetadata' | 'updateMetadata' | 'triggerAction' | 'getConnection' | 'getIntegration' | 'getEnvironmentVariables';

/** The arguments of a host call; each call reads its own (see FunctionRuntime). */
export interface HostCallArgs {
  /** setMetadata and updateMetadata's object. */
  metadata?: Record<string, unknown>;
  /** triggerAction and getConnection: the integration (Nango's providerConfigKey) and the Connection's id. */
  integration?: string;
  connectionId?: string;
  /** triggerAction: the action to run and its input. */
  action?: string;
  input?: unknown;
}

/** The worker's answer to `getIntegration`: what a function may read of its integration. */
export interface IntegrationInfo {
  /** The integration as Nango's `GET /integrations/:key` shows it: `unique_key`, `provider`, `display_name`, … */
  integration: Record<string, unknown>;
  /** Where the integration's provider webhooks are received (see FunctionRuntime.getWebhookURL). */
  webhookUrl: string;
  /** The provider's catalog `proxy.paginate`, the default of FunctionRuntime.paginate. */
  paginate: Partial<PaginateConfig> | undefined;
}
