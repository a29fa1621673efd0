import { ACTION_CONTEXT, type HostCall } from './context';
import type { HttpMethod, HttpParams } from './http';
import type { NangoAction } from './NangoAction';

/** A zod schema as a deployed function's bundle holds it: only what validation needs. */
export interface FunctionSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { message: string } };
}

/** What `createAction` (the official `nango` package) leaves in a compiled bundle's default export. */
export interface FunctionDefinition {
  readonly type?: string;
  readonly exec: (nango: FunctionRuntime, input: unknown) => unknown;
  readonly input?: FunctionSchema | undefined;
  readonly output?: FunctionSchema | undefined;
}

/** A request as Nango's functions make it (`nango.get({ endpoint, params })`, `nango.proxy({ method, … })`). */
export interface ProxyConfiguration {
  endpoint: string;
  method?: string;
  params?: string | HttpParams;
  data?: unknown;
  headers?: Record<string, string>;
}

/** What Nango's HTTP helpers resolve with (axios's shape): `data` is the parsed body. */
export interface ProxyResponse<T = unknown> {
  data: T;
  status: number;
  statusText: string;
  headers: Record<string, string>;
}

/** What a function throws to fail with a payload its caller reads (Nango's `nango.ActionError`). */
export class ActionError<T = Record<string, unknown>> extends Error {
  readonly type = 'action_script_runtime_error';
  constructor(readonly payload?: T) {
    const message = (payload as { message?: unknown } | undefined)?.message;
    super(typeof message === 'string' ? message : 'The action failed');
    this.name = 'ActionError';
  }
}

/**
 * The object a deployed function receives as `nango`: the core of Nango's functions surface, on top of a
 * NangoAction's helpers, so its requests take the worker's path out (credentials, host checks, learned rate limits)
 * and its log lines the action log. What it does not offer yet throws saying so (see docs/functions.md).
 */
export class FunctionRuntime {
  readonly ActionError = ActionError;

  constructor(private readonly action: NangoAction<unknown, unknown>) {}

  /** The Connection's id (our user id) and its integration, as Nango names them. */
  get connectionId(): string {
    return this.action.getCurrentConnection().userId;
  }

  get providerConfigKey(): string {
    return this.action.getCurrentConnection().integration;
  }

  get(config: ProxyConfiguration): Promise<ProxyResponse> {
    return this.proxy({ ...config, method: 'GET' });
  }

  post(config: ProxyConfiguration): Promise<ProxyResponse> {
    return this.proxy({ ...config, method: 'POST' });
  }

  put(config: ProxyConfiguration): Promise<ProxyResponse> {
    return this.proxy({ ...config, method: 'PUT' });
  }

  patch(config: ProxyConfiguration): Promise<ProxyResponse> {
    return this.proxy({ ...config, method: 'PATCH' });
  }

  delete(config: ProxyConfiguration): Promise<ProxyResponse> {
    return this.proxy({ ...config, method: 'DELETE' });
  }

  /**
   * Calls the provider through the worker. As Nango's (axios) does, a status outside 2xx throws, with `response`
   * (status, data, headers) on the error.
   */
  async proxy(config: ProxyConfiguration): Promise<ProxyResponse> {
    const method = (config.method ?? 'GET').toUpperCase() as HttpMethod;
    const params = typeof config.params === 'string' ? Object.fromEntries(new URLSearchParams(config.params)) : config.params;
    const res = await this.action.httpRequest(config.endpoint, method, params, config.data, config.headers);
    const response = { data: res.body, status: res.status, statusText: res.statusText, headers: res.headers };
    if (!res.ok) {
      throw Object.assign(new Error(`Request failed with status code ${res.status}`), { name: 'AxiosError', response });
    }
    return response;
  }

  /** `log(message, …values, { level })`: the last argument may name the level (default info). */
  log(...args: unknown[]): Promise<void> {
    const last = args[args.length - 1] as { level?: unknown } | undefined;
    const level = typeof last === 'object' && last !== null && typeof last.level === 'string' ? last.level : undefined;
    const parts = level === undefined ? args : args.slice(0, -1);
    const message = parts.map((part) => (typeof part === 'string' ? part : safeJson(part))).join(' ');
    const logger = this.action.logger;
    const write =
      level === 'error' ? logger.error : level === 'warn' ? logger.warn : level === 'debug' ? logger.debug : logger.info;
    write.call(logger, message);
    return Promise.resolve();
  }

  /** The Connection in Nango's shape: `connection_id`, `provider_config_key`, `credentials`, `metadata`. */
  getConnection(): Promise<Record<string, unknown>> {
    const connection = this.action.getCurrentConnection();
    return Promise.resolve({
      id: connection.uuid,
      connection_id: connection.userId,
      provider_config_key: connection.integration,
      created_at: connection.dateCreated,
      updated_at: connection.lastModified,
      credentials: { ...connection.credentials },
      connection_config: { ...connection.additionalConfig },
      metadata: { ...connection.additionalConfig },
    });
  }

  /** The Connection's metadata (our additionalConfig). */
  getMetadata<T = Record<string, unknown>>(): Promise<T> {
    return Promise.resolve({ ...this.action.getCurrentConnection().additionalConfig } as T);
  }

  /** Replaces the Connection's metadata; a later run's getMetadata sees it. */
  async setMetadata(metadata: Record<string, unknown>): Promise<void> {
    await this.host('setMetadata', metadata);
  }

  /** Merges top-level keys into the Connection's metadata. */
  async updateMetadata(metadata: Record<string, unknown>): Promise<void> {
    await this.host('updateMetadata', metadata);
  }

  private host(method: HostCall, metadata: Record<string, unknown>): Promise<unknown> {
    const call = this.action[ACTION_CONTEXT]?.call;
    if (!call) return Promise.reject(new Error(`nango.${method}() is not available in this run`));
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      return Promise.reject(new Error(`nango.${method}() takes an object`));
    }
    return call(method, { metadata });
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
