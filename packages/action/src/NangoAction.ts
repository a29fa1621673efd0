import { ACTION_CONTEXT, type ActionContext } from './context';
import type { HttpMethod, HttpParams, HttpResponse } from './http';
import { withCredentialAliases, type ActionConnection } from './withCredentialAliases';
import { withWinstonMethods, type NangoActionLogger } from './withWinstonMethods';

/** One wrapped logger and one Connection view per run, made on first use. */
const loggers = new WeakMap<ActionContext, NangoActionLogger>();
const connections = new WeakMap<ActionContext, ActionConnection>();

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
