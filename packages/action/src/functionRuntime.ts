import { ACTION_CONTEXT, type HostCall, type HostCallArgs, type IntegrationInfo } from './context';
import { paginateFunction } from './functionPaginate';
import { prepareRequest, sendRequest, type ProxyConfiguration, type ProxyResponse } from './functionProxy';
import type { NangoAction } from './NangoAction';
import { describeSchemaError, type SchemaError } from './schemaProblems';
import type { NangoConnection } from '@nangohq/protocol';

export type { ProxyConfiguration, ProxyResponse } from './functionProxy';

/** A zod schema as a deployed function's bundle holds it: only what validation needs. */
export interface FunctionSchema {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: SchemaError };
}

/** What `createAction` (the official `nango` package) leaves in a compiled bundle's default export. */
export interface FunctionDefinition {
  readonly type?: string;
  readonly exec: (nango: FunctionRuntime, input: unknown) => unknown;
  readonly input?: FunctionSchema | undefined;
  readonly output?: FunctionSchema | undefined;
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
  private info: Promise<IntegrationInfo> | undefined;

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
   * Calls the provider through the worker, with `retries` (see functionRetries). As Nango's (axios) does, a status
   * outside 2xx throws, with `response` (status, data, headers) on the error.
   */
  proxy(config: ProxyConfiguration): Promise<ProxyResponse> {
    try {
      return sendRequest(this.action, prepareRequest(this.action, config, 'nango.proxy'), config);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Pages through a list endpoint, yielding each page's items, as `proxy` sends each page (retries included); the
   * provider's catalog `proxy.paginate` merged with `config.paginate` says how (cursor, link or offset).
   */
  paginate<T = unknown>(config: ProxyConfiguration): AsyncGenerator<T[], undefined, void> {
    const sync = this.action[ACTION_CONTEXT]?.sync;
    const defaults = sync ? () => Promise.resolve(sync.paginate) : async () => (await this.integrationInfo()).paginate;
    return paginateFunction<T>(this.action, config, defaults);
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

  /**
   * A Connection in Nango's shape (`connection_id`, `provider_config_key`, `credentials`, `metadata`): the run's own,
   * or another one of this server's, read (and its token refreshed when due) by the worker.
   */
  async getConnection(providerConfigKey?: string, connectionId?: string): Promise<Record<string, unknown>> {
    const own = this.action.getCurrentConnection();
    const integration = providerConfigKey ?? own.integration;
    const userId = connectionId ?? own.userId;
    if (integration === own.integration && userId === own.userId) return connectionReply(own);
    requireText('getConnection', { providerConfigKey: integration, connectionId: userId });
    return connectionReply((await this.host('getConnection', { integration, connectionId: userId })) as NangoConnection);
  }

  /**
   * The Connection's token: the access token (OAuth 2 and the modes that fetch one), `{ oAuthToken, oAuthTokenSecret }`
   * for OAuth 1, the credentials object for the others (an API key's, a username and password).
   */
  getToken(): Promise<string | Record<string, unknown>> {
    const credentials = this.action.getCurrentConnection().credentials as unknown as Record<string, unknown>;
    if (typeof credentials['access_token'] === 'string') return Promise.resolve(credentials['access_token']);
    if (typeof credentials['oauth_token'] === 'string') {
      return Promise.resolve({ oAuthToken: credentials['oauth_token'], oAuthTokenSecret: credentials['oauth_token_secret'] });
    }
    return Promise.resolve({ ...credentials });
  }

  /** The run's integration as Nango's `GET /integrations/:key` shows it (`unique_key`, `provider`, `display_name`, …). */
  async getIntegration(): Promise<Record<string, unknown>> {
    return { ...(await this.integrationInfo()).integration };
  }

  /** Where this integration's provider webhooks are received: `<server URL>/webhook/<environment>/<integration>`. */
  async getWebhookURL(): Promise<string> {
    return (await this.integrationInfo()).webhookUrl;
  }

  /** The environment's variables (`NANGO_ENVIRONMENT_VARIABLES`), `[{ name, value }]`, `[]` when none are set. */
  async getEnvironmentVariables(): Promise<{ name: string; value: string }[]> {
    return (await this.host('getEnvironmentVariables', {})) as { name: string; value: string }[];
  }

  /**
   * Runs another action (a deployed function or one of integrations.yaml) for a Connection and resolves with its
   * result, as `triggerAction` of the node client would, through the same runner: its time limit, its operation (a
   * child of this run's). Its failure rejects with its code and message. Actions nest MAX_ACTION_DEPTH deep at most
   * (the worker refuses deeper, so a function that triggers itself stops); one run's calls run one after another.
   */
  async triggerAction<Out = unknown>(
    providerConfigKey: string,
    connectionId: string,
    actionName: string,
    input?: unknown,
  ): Promise<Out> {
    requireText('triggerAction', { providerConfigKey, connectionId, actionName });
    const args = { integration: providerConfigKey, connectionId, action: actionName, input: input ?? {} };
    return (await this.host('triggerAction', args)) as Out;
  }

  /** The function's variant: always `base` here (variants are not deployed apart). */
  getVariant(): string {
    return 'base';
  }

  /**
   * Parses `input` with a zod schema, as Nango's helper does.
   * @throws Error naming each field that does not match
   */
  zodValidateInput<T = unknown>({
    zodSchema,
    input,
  }: {
    zodSchema: FunctionSchema;
    input: unknown;
  }): Promise<{ success: true; data: T }> {
    const parsed = zodSchema.safeParse(input);
    if (!parsed.success) {
      return Promise.reject(new Error(`nango.zodValidateInput: invalid input: ${describeSchemaError(parsed.error)}`));
    }
    return Promise.resolve(parsed as { success: true; data: T });
  }

  /** Not offered by this server: each throws saying so (see docs/functions.md). */
  triggerSync(): Promise<never> {
    return notAvailable('triggerSync');
  }

  startSync(): Promise<never> {
    return notAvailable('startSync');
  }

  uncontrolledFetch(): Promise<never> {
    return notAvailable('uncontrolledFetch');
  }

  tryAcquireLock(): Promise<never> {
    return notAvailable('tryAcquireLock');
  }

  releaseLock(): Promise<never> {
    return notAvailable('releaseLock');
  }

  releaseAllLocks(): Promise<never> {
    return notAvailable('releaseAllLocks');
  }

  /** The Connection's metadata (our additionalConfig). */
  getMetadata<T = Record<string, unknown>>(): Promise<T> {
    return Promise.resolve({ ...this.action.getCurrentConnection().additionalConfig } as T);
  }

  /** Replaces the Connection's metadata; a later run's getMetadata sees it. */
  async setMetadata(metadata: Record<string, unknown>): Promise<void> {
    await this.metadataCall('setMetadata', metadata);
  }

  /** Merges top-level keys into the Connection's metadata. */
  async updateMetadata(metadata: Record<string, unknown>): Promise<void> {
    await this.metadataCall('updateMetadata', metadata);
  }

  /** What the worker knows of the run's integration, asked once per run. */
  private integrationInfo(): Promise<IntegrationInfo> {
    this.info ??= this.host('getIntegration', {}) as Promise<IntegrationInfo>;
    return this.info;
  }

  private host(method: HostCall, args: HostCallArgs): Promise<unknown> {
    const call = this.action[ACTION_CONTEXT]?.call;
    if (!call) return Promise.reject(new Error(`nango.${method}() is not available in this run`));
    return call(method, args);
  }

  private metadataCall(method: 'setMetadata' | 'updateMetadata', metadata: Record<string, unknown>): Promise<unknown> {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      return Promise.reject(new Error(`nango.${method}() takes an object`));
    }
    return this.host(method, { metadata });
  }
}

/** A Connection in Nango's shape. */
function connectionReply(connection: NangoConnection): Record<string, unknown> {
  return {
    id: connection.uuid,
    connection_id: connection.userId,
    provider_config_key: connection.integration,
    created_at: connection.dateCreated,
    updated_at: connection.lastModified,
    credentials: { ...connection.credentials },
    connection_config: { ...connection.additionalConfig },
    metadata: { ...connection.additionalConfig },
  };
}

/** @throws Error naming the argument that is not a non-empty string */
function requireText(method: string, args: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(args)) {
    if (typeof value !== 'string' || value === '') {
      throw new Error(`nango.${method}(): ${name} must be a non-empty string, got ${value === '' ? "''" : typeof value}`);
    }
  }
}

function notAvailable(method: string): Promise<never> {
  return Promise.reject(new Error(`nango.${method}() is not available on this server (see docs/functions.md)`));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
