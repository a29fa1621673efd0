/**
 * @nangohq/action: the base class of every action file.
 *
 *   // integrations/slack/notify.action.ts
 *   import { NangoAction } from '@nangohq/action';
 *   export default class Notify extends NangoAction<{ msg: string }> {
 *     override async executeAction(input: { msg: string }) {
 *       const { additionalConfig } = this.getCurrentConnection();
 *       return this.httpRequest('chat.postMessage', 'POST', undefined, { channel: additionalConfig.channelId, text: input.msg });
 *     }
 *   }
 */
import type { NangoConnection } from '@nangohq/protocol';
import { withCredentialAliases, type ActionConnection, type LegacyCredentialNames } from './withCredentialAliases';
import { withWinstonMethods, type ActionLogger, type NangoActionLogger } from './withWinstonMethods';
import type { SyncContext } from './sync';

export type { NangoConnection, NangoConnectionPublic, StoredCredentials, AuthMode } from '@nangohq/protocol';
export type { ActionConnection, ActionLogger, NangoActionLogger, LegacyCredentialNames };

/** HTTP methods httpRequest accepts (case-insensitive). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Query parameters; null and undefined values are left out. */
export type HttpParams = Record<string, string | number | boolean | null | undefined>;

/**
 * What httpRequest resolves with, for every status code (it does not throw on 4xx/5xx: check `ok`).
 * Plain JSON, so an action can return it as it is.
 */
export interface HttpResponse<Body = unknown> {
  /** True for a 2xx status. */
  ok: boolean;
  status: number;
  statusText: string;
  /** Response headers, names lower-cased. */
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON, otherwise the text ('' when empty). */
  body: Body;
  /** The body as text ('' when empty), as the 2022 product's response had it. */
  data: string;
  /**
   * The body parsed as JSON whatever the content type says, undefined when it does not parse (as the 2022
   * product's response had it). Typed `any` because its files read `response.json.results` unchecked.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  json: any;
}

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
}

/** One wrapped logger and one Connection view per run, made on first use. */
const loggers = new WeakMap<ActionContext, NangoActionLogger>();
const connections = new WeakMap<ActionContext, ActionConnection>();

/** Key under which the worker attaches the ActionContext to an action instance. */
export const ACTION_CONTEXT: unique symbol = Symbol('nango.actionContext');

/**
 * Base class of an action. Extend it, implement executeAction, and export the class (default or named) from
 * `integrations/<integration>/<action>.action.ts`. The worker creates one instance per run.
 *
 * @typeParam Input what triggerAction's `input` holds
 * @typeParam Output what executeAction returns; it must be JSON-serialisable
 */
export abstract class NangoAction<Input = Record<string, unknown>, Output = unknown> {
  /** @internal set by the worker before executeAction is called */
  [ACTION_CONTEXT]: ActionContext | undefined;

  /** Does the action's work; the resolved value is sent back to the caller as `returnValue`. */
  abstract executeAction(input: Input): Promise<Output>;

  /**
   * The Connection of the user this run is for, credentials included. The credentials also answer to the 2022
   * product's names (`type`, `accessToken`, `refreshToken`, `expiresAt` as a Date, `oAuthToken`,
   * `oAuthTokenSecret`, `apiKey`), which JSON and spreads do not show.
   */
  getCurrentConnection(): ActionConnection {
    const context = this.context;
    let connection = connections.get(context);
    if (!connection) {
      connection = withCredentialAliases(context.connection);
      connections.set(context, connection);
    }
    return connection;
  }

  /** The 2022 product's name of {@link getCurrentConnection}. */
  getCurrentConnectionConfig(): ActionConnection {
    return this.getCurrentConnection();
  }

  /**
   * Calls the integration's API: `endpoint` is joined to its base_url, the configured headers and query
   * params are added, and the user's credentials are applied for the auth mode. Objects are sent as JSON.
   * A URL on another host than base_url's is refused.
   */
  httpRequest<Body = unknown>(
    endpoint: string,
    method: HttpMethod | Lowercase<HttpMethod> = 'GET',
    params?: HttpParams,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResponse<Body>> {
    return this.context.httpRequest(endpoint, method, params, body, headers) as Promise<HttpResponse<Body>>;
  }

  /**
   * Logger tagged with this run's integration, action, user id and execution id: `debug`, `info`, `warn`,
   * `error(message, fields?)`, and the 2022 product's (winston's) `http`, `verbose`, `silly` and `log`.
   */
  get logger(): NangoActionLogger {
    const context = this.context;
    let logger = loggers.get(context);
    if (!logger) {
      logger = withWinstonMethods(context.logger);
      loggers.set(context, logger);
    }
    return logger;
  }

  /** Aborted when the run's time limit passes; pass it to anything long-running. */
  get signal(): AbortSignal {
    return this.context.signal;
  }

  private get context(): ActionContext {
    const context = this[ACTION_CONTEXT];
    if (!context) {
      throw new Error('NangoAction: the connection and helpers exist only while the worker runs executeAction');
    }
    return context;
  }
}

// After NangoAction, which NangoSync extends.
export { NangoSync, type SyncContext, type SyncCall, type SyncRecord } from './sync';
export type { PaginateConfig, PaginateRequest } from './paginate';
