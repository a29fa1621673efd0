import { release, platform } from 'node:os';
import { requestJson, type HttpRequest, type HttpSettings } from './http';
import { NangoError } from './NangoError';
import { sendProxy } from './proxy';
import {
  actionRequest,
  connectionRequest,
  legacyListQuery,
  listQuery,
  queryString,
  requireIds,
  seg,
  sleep,
  throwIfAborted,
} from './requests';
import {
  listRecordsRequest,
  pruneRecordsRequest,
  scheduleRequest,
  syncFrequencyRequest,
  syncStatusRequest,
  syncVariantRequest,
  triggerSyncRequest,
} from './syncs';
import type {
  AsyncActionRef,
  AsyncActionReply,
  ConnectSessionReply,
  Connection,
  ConnectionCredentials,
  ConnectionListItem,
  CreateConnectSessionBody,
  CreateIntegrationBody,
  CreateReconnectSessionBody,
  EnvironmentVariable,
  Integration,
  IntegrationInclude,
  JsonObject,
  ListRecordsConfig,
  ListRecordsReply,
  ListConnectionsLegacyQuery,
  ListConnectionsQuery,
  ListProvidersQuery,
  MetadataReply,
  NangoOptions,
  NangoScriptsConfig,
  OAuth1Token,
  OpenAIScriptsConfig,
  PatchConnectionBody,
  Provider,
  ProxyCallConfiguration,
  ProxyConfiguration,
  ProxyResponse,
  PruneRecordsConfig,
  PruneRecordsReply,
  SuccessReply,
  SyncMode,
  SyncRef,
  SyncStatusReply,
  SyncVariantProps,
  SyncVariantReply,
  TriggerSyncOptions,
  UpdateIntegrationBody,
  UpdateSyncFrequencyReply,
  WaitForConnectionOptions,
} from './types';
import { verifyIncomingWebhookRequest } from './webhooks';
import {
  getOperationRequest,
  listOperationsRequest,
  type GetOperationOptions,
  type GetOperationReply,
  type ListOperationsFilters,
  type ListOperationsReply,
} from './logs';

/** Where the SDK goes without `host`: the server's default address. */
export const DEFAULT_HOST = 'http://localhost:3003';
const VERSION = '0.1.0';

/**
 * The REST API of this server, with the methods and wire format of the official `@nangohq/node` 0.71 (spec 5). Every call rejects with a NangoError carrying the status, the server's error code and
 * Retry-After.
 *
 *   const nango = new Nango({ host: 'http://localhost:3003', secretKey: process.env.NANGO_SECRET_KEY });
 *   const token = await nango.getToken('github', 'user-1');
 */
export class Nango {
  /** The server's URL, without a trailing slash. */
  readonly host: string;
  private readonly http: HttpSettings;
  private readonly webhookSigningKey: string | undefined;

  /** @throws Error when both or neither of `secretKey` and `apiKey` are given, or `host` is not a URL */
  constructor(options: NangoOptions) {
    if (options.secretKey && options.apiKey) {
      throw new Error('Give only one of apiKey and secretKey, not both');
    }
    const key = options.apiKey ?? options.secretKey;
    if (!key) throw new Error('Give the server secret key as secretKey (or apiKey)');
    const host = (options.host || DEFAULT_HOST).replace(/\/+$/, '');
    try {
      new URL(host);
    } catch {
      throw new Error(`Invalid URL for the Nango host: ${host}`);
    }
    this.host = host;
    const userAgent = `nango-node-sdk/${VERSION} (${platform()}/${release()}; node.js/${process.versions.node})${options.userAgent ? `; ${options.userAgent}` : ''}`;
    this.http = { host, key, userAgent };
    // As the official SDK: the API key never verifies webhooks.
    this.webhookSigningKey = options.webhookSigningKey ?? options.secretKey;
  }

  // ----- Providers -------------------------------------------------------------------------------------------

  /** `GET /providers[?search=]`: the catalog, each entry with `name` and `logo_url`. */
  listProviders(query: ListProvidersQuery = {}): Promise<{ data: Provider[] }> {
    return this.json({ method: 'GET', path: `/providers${queryString(Object.entries(query))}` });
  }

  /** `GET /providers/:provider`. @throws NangoError `not_found` (404) */
  getProvider(params: { provider: string }): Promise<{ data: Provider }> {
    return this.json({ method: 'GET', path: `/providers/${seg(params.provider)}` });
  }

  // ----- Integrations ----------------------------------------------------------------------------------------

  /** `GET /integrations`, re-wrapped as `{ configs }` as the official SDK does. */
  async listIntegrations(): Promise<{ configs: Integration[] }> {
    const reply = await this.json<{ data: Integration[] }>({ method: 'GET', path: '/integrations' });
    return { configs: reply.data };
  }

  /**
   * `GET /integrations/:key[?include=…]`. `include: ['credentials']` adds the OAuth client with its secret.
   * Every `include` value is sent (the official SDK sends only the last one).
   * @throws NangoError `unknown_integration` (404)
   */
  getIntegration(
    params: { uniqueKey: string },
    queries: { include?: IntegrationInclude[] } = {},
  ): Promise<{ data: Integration }> {
    const query = queryString((queries.include ?? []).map((value) => ['include', value]));
    return this.json({ method: 'GET', path: `/integrations/${seg(params.uniqueKey)}${query}`, jsonContentType: true });
  }

  /**
   * `POST /integrations`: credentials as `{ oauth_client_id, oauth_client_secret }` or `{ type, client_id,
   * client_secret, scopes? }`. @throws NangoError `integration_exists` (409), `unknown_provider`, `invalid_request`
   */
  createIntegration(body: CreateIntegrationBody): Promise<{ data: Integration }> {
    return this.json({ method: 'POST', path: '/integrations', json: body });
  }

  /**
   * `PATCH /integrations/:key`: changes what the body gives (a new `unique_key` renames it).
   * @throws NangoError `unknown_integration`, `integration_read_only`, `integration_exists`
   */
  updateIntegration(params: { uniqueKey: string }, body: UpdateIntegrationBody): Promise<{ data: Integration }> {
    return this.json({ method: 'PATCH', path: `/integrations/${seg(params.uniqueKey)}`, json: body });
  }

  /**
   * `DELETE /integrations/:key`: the integration and all its Connections. Resolves with the body (the official SDK
   * gives the axios response). @throws NangoError `unknown_integration`, `integration_read_only`
   */
  deleteIntegration(providerConfigKey: string): Promise<SuccessReply> {
    return this.json({ method: 'DELETE', path: `/integrations/${seg(providerConfigKey)}` });
  }

  // ----- Connect sessions ------------------------------------------------------------------------------------

  /** `POST /connect/sessions`: a token for the frontend (30 minutes) and the Connect page's link. */
  createConnectSession(body: CreateConnectSessionBody): Promise<ConnectSessionReply> {
    return this.json({ method: 'POST', path: '/connect/sessions', json: body });
  }

  /** `POST /connect/sessions/reconnect`: a session that re-authorises an existing Connection. */
  createReconnectSession(body: CreateReconnectSessionBody): Promise<ConnectSessionReply> {
    return this.json({ method: 'POST', path: '/connect/sessions/reconnect', json: body });
  }

  // ----- Connections -----------------------------------------------------------------------------------------

  /**
   * `GET /connections` with filters, never credentials. Object form: `{ connectionId, userId, integrationId, tags,
   * limit, page }`; legacy form: `(connectionId?, search?, { endUserId, endUserOrganizationId, limit, page })`.
   */
  listConnections(query?: ListConnectionsQuery): Promise<{ connections: ConnectionListItem[] }>;
  listConnections(
    connectionId?: string,
    search?: string,
    queries?: ListConnectionsLegacyQuery,
  ): Promise<{ connections: ConnectionListItem[] }>;
  listConnections(
    first?: ListConnectionsQuery | string,
    search?: string,
    queries?: ListConnectionsLegacyQuery,
  ): Promise<{ connections: ConnectionListItem[] }> {
    const entries = typeof first === 'object' ? listQuery(first) : legacyListQuery(first, search, queries);
    return this.json({ method: 'GET', path: `/connections${queryString(entries)}`, jsonContentType: true });
  }

  /**
   * `GET /connections/:id?provider_config_key=…`: the Connection with credentials, refreshed when due (or now,
   * with `forceRefresh`); the refresh token only with `refreshToken`.
   * @throws NangoError `connection_not_found`/`not_found` (404), `unknown_integration`, `invalid_credentials`
   */
  getConnection(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh = false,
    refreshToken = false,
  ): Promise<Connection> {
    return this.json(connectionRequest(providerConfigKey, connectionId, forceRefresh, refreshToken));
  }

  /**
   * The current token: OAuth 2 the access token, OAuth 1.0a `{ oAuthToken, oAuthTokenSecret }`, any other mode the
   * whole credentials object (`{ type: 'API_KEY', apiKey }`, …).
   */
  async getToken(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh = false,
  ): Promise<string | OAuth1Token | ConnectionCredentials> {
    const { credentials } = await this.getConnection(providerConfigKey, connectionId, forceRefresh);
    if (credentials.type === 'OAUTH2') return (credentials as { access_token: string }).access_token;
    if (credentials.type === 'OAUTH1') {
      const oauth1 = credentials as { oauth_token: string; oauth_token_secret: string };
      return { oAuthToken: oauth1.oauth_token, oAuthTokenSecret: oauth1.oauth_token_secret };
    }
    return credentials;
  }

  /** The provider's raw token response (`credentials.raw`), refresh token left out. */
  async getRawTokenResponse(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh = false,
  ): Promise<JsonObject | undefined> {
    const { credentials } = await this.getConnection(providerConfigKey, connectionId, forceRefresh);
    return credentials.raw as JsonObject | undefined;
  }

  /**
   * `DELETE /connections/:id?provider_config_key=…`. Resolves with the body (the official SDK gives the axios
   * response). @throws NangoError for an unknown Connection
   */
  deleteConnection(providerConfigKey: string, connectionId: string): Promise<SuccessReply> {
    return this.json({
      method: 'DELETE',
      path: `/connections/${seg(connectionId)}${queryString([['provider_config_key', providerConfigKey]])}`,
      jsonContentType: true,
    });
  }

  /** `PATCH /connections/:id?provider_config_key=…` with `{ tags?, end_user?, webhook_url_override? }`. */
  patchConnection(
    params: { connectionId: string; provider_config_key: string },
    body: PatchConnectionBody,
  ): Promise<SuccessReply> {
    const query = queryString([['provider_config_key', params.provider_config_key]]);
    return this.json({ method: 'PATCH', path: `/connections/${seg(params.connectionId)}${query}`, json: body });
  }

  /**
   * Polls `GET /connections?endUserId=<userId>` until a Connection of `integrationKey` appears: every 2 s for 60 s
   * (spec 5; the official SDK waits 10 s before its second poll).
   * @throws NangoError `timeout`, `aborted`, or the failure of a poll
   */
  async waitForConnection(
    integrationKey: string,
    userId: string,
    options: WaitForConnectionOptions = {},
  ): Promise<ConnectionListItem> {
    const { signal, timeoutMs = 60_000, intervalMs = 2_000 } = options;
    const deadline = Date.now() + timeoutMs;
    const path = `/connections${queryString(legacyListQuery(undefined, undefined, { endUserId: userId }))}`;
    for (;;) {
      throwIfAborted(signal);
      const { connections } = await this.json<{ connections: ConnectionListItem[] }>({
        method: 'GET',
        path,
        jsonContentType: true,
        ...(signal && { signal }),
      });
      const found = connections.find((connection) => connection.provider_config_key === integrationKey);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new NangoError({
          code: 'timeout',
          message: `No Connection of '${integrationKey}' for end user '${userId}' within ${timeoutMs} ms`,
        });
      }
      await sleep(Math.min(intervalMs, remaining), signal);
    }
  }

  // ----- Metadata --------------------------------------------------------------------------------------------

  /** The Connection's metadata (its `additionalConfig`). */
  async getMetadata<M extends JsonObject = JsonObject>(providerConfigKey: string, connectionId: string): Promise<M> {
    requireIds(providerConfigKey, connectionId);
    return (await this.getConnection(providerConfigKey, connectionId)).metadata as M;
  }

  /**
   * `POST /connections/metadata`: replaces the metadata of one Connection or several (all or none). Resolves with
   * the echoed body (the official SDK gives the axios response).
   */
  setMetadata<M extends JsonObject>(
    providerConfigKey: string,
    connectionId: string | string[],
    metadata: M,
  ): Promise<MetadataReply<M>> {
    requireIds(providerConfigKey, connectionId);
    const json = { metadata, connection_id: connectionId, provider_config_key: providerConfigKey };
    return this.json({ method: 'POST', path: '/connections/metadata', json });
  }

  /** `PATCH /connections/metadata`: merges `metadata` into that of one Connection or several (top-level keys). */
  updateMetadata<M extends JsonObject>(
    providerConfigKey: string,
    connectionId: string | string[],
    metadata: M,
  ): Promise<MetadataReply<M>> {
    requireIds(providerConfigKey, connectionId);
    const json = { metadata, connection_id: connectionId, provider_config_key: providerConfigKey };
    return this.json({ method: 'PATCH', path: '/connections/metadata', json });
  }

  // ----- Proxy -----------------------------------------------------------------------------------------------

  /**
   * A call to the provider's API through the server's `/proxy`, with the Connection's credentials added there.
   * Resolves with `{ status, statusText, headers, data }` of the API's answer; rejects on status ≥ 400 with a
   * NangoError (`http_error`, or the server's own code such as `connection_not_found`) carrying status and body.
   */
  proxy<T = unknown>(config: ProxyConfiguration): Promise<ProxyResponse<T>> {
    return sendProxy<T>(this.http, config);
  }

  /** `proxy` with GET. */
  get<T = unknown>(config: ProxyCallConfiguration): Promise<ProxyResponse<T>> {
    return this.proxy<T>({ ...config, method: 'GET' });
  }

  /** `proxy` with POST. */
  post<T = unknown>(config: ProxyCallConfiguration): Promise<ProxyResponse<T>> {
    return this.proxy<T>({ ...config, method: 'POST' });
  }

  /** `proxy` with PUT. */
  put<T = unknown>(config: ProxyCallConfiguration): Promise<ProxyResponse<T>> {
    return this.proxy<T>({ ...config, method: 'PUT' });
  }

  /** `proxy` with PATCH. */
  patch<T = unknown>(config: ProxyCallConfiguration): Promise<ProxyResponse<T>> {
    return this.proxy<T>({ ...config, method: 'PATCH' });
  }

  /** `proxy` with DELETE (a `data` body is sent too). */
  delete<T = unknown>(config: ProxyCallConfiguration): Promise<ProxyResponse<T>> {
    return this.proxy<T>({ ...config, method: 'DELETE' });
  }

  // ----- Actions and scripts ---------------------------------------------------------------------------------

  /**
   * `POST /action/trigger`: runs the action on a worker and resolves with its output, as raw JSON.
   * @throws NangoError `unknown_action`, `action_failed`, `action_timeout`, `invalid_action_input`, …
   */
  triggerAction<T = unknown>(providerConfigKey: string, connectionId: string, actionName: string, input?: unknown): Promise<T> {
    return this.json(actionRequest(providerConfigKey, connectionId, actionName, input, false));
  }

  /** `POST /action/trigger` with `X-Async: true`: queues the run; poll `getAsyncActionResult` with the id. */
  triggerActionAsync(
    providerConfigKey: string,
    connectionId: string,
    actionName: string,
    input?: unknown,
  ): Promise<AsyncActionReply> {
    return this.json(actionRequest(providerConfigKey, connectionId, actionName, input, true));
  }

  /**
   * `GET /action/:id` (or the status URL): the output once the run finished.
   * @throws NangoError `not_found` (404) while it is queued or running, the action's error once it failed
   */
  getAsyncActionResult<T = unknown>(ref: AsyncActionRef): Promise<T> {
    if (!ref.id && !ref.statusUrl) throw new NangoError({ code: 'invalid_argument', message: 'Give id or statusUrl' });
    const path = ref.statusUrl ?? `/action/${seg(ref.id as string)}`;
    return this.json({ method: 'GET', path: path.startsWith('/') ? path : `/${path}` });
  }

  /** `GET /scripts/config?format=…`: the actions with their descriptions and input schemas. */
  getScriptsConfig(format?: 'nango'): Promise<NangoScriptsConfig[]>;
  getScriptsConfig(format: 'openai'): Promise<OpenAIScriptsConfig>;
  getScriptsConfig(format: 'nango' | 'openai' = 'nango'): Promise<NangoScriptsConfig[] | OpenAIScriptsConfig> {
    return this.json({ method: 'GET', path: `/scripts/config${queryString([['format', format]])}`, jsonContentType: true });
  }

  // ----- Syncs and records -----------------------------------------------------------------------------------

  /**
   * `GET /records/?model=…`: one page of a sync's records for a Connection, oldest change first, each with its
   * `_nango_metadata`. Pass `next_cursor` back as `cursor` for the next page (null on the last), or a record's
   * `_nango_metadata.cursor` to read only what changed after it.
   *
   *   const { records, next_cursor } = await nango.listRecords<Issue>({ providerConfigKey: 'tracker',
   *     connectionId: 'user-1', model: 'Issue', filter: 'added,updated', limit: 100 });
   *
   * @throws NangoError `connection_not_found`, `unknown_integration`, `invalid_request` (unknown model, bad filter,
   *   limit, date or cursor), `invalid_argument` (providerConfigKey, connectionId or model missing; nothing sent)
   */
  async listRecords<T extends object = JsonObject>(config: ListRecordsConfig): Promise<ListRecordsReply<T>> {
    return this.json(listRecordsRequest(config));
  }

  /**
   * `PATCH /records/prune`: drops the payloads of a model's records up to `untilCursor` (a record's
   * `_nango_metadata.cursor`), keeping their ids and metadata; call again while `has_more`.
   * @throws NangoError `connection_not_found`, `invalid_request`, `invalid_argument`
   */
  async pruneRecords(config: PruneRecordsConfig): Promise<PruneRecordsReply> {
    return this.json(pruneRecordsRequest(config));
  }

  /**
   * `POST /sync/trigger`: runs the syncs now (all of the integration when `syncs` is empty), for one Connection or
   * all of them; a paused sync runs once. `opts.reset` starts over from no checkpoint with a full run, and
   * `opts.emptyCache` (with `reset`) deletes the records first. The legacy fourth argument, a sync mode or a boolean,
   * is sent as `sync_mode`. Resolves with the body (the official SDK gives the axios response).
   * @throws NangoError `unknown_integration`, `unknown_sync`, `connection_not_found`, `invalid_argument`
   */
  triggerSync(
    providerConfigKey: string,
    syncs?: SyncRef[],
    connectionId?: string,
    opts?: TriggerSyncOptions,
  ): Promise<SuccessReply>;
  /** @deprecated give `{ reset, emptyCache }` instead of a sync mode */
  triggerSync(
    providerConfigKey: string,
    syncs: SyncRef[] | undefined,
    connectionId: string | undefined,
    syncMode: SyncMode,
  ): Promise<SuccessReply>;
  async triggerSync(
    providerConfigKey: string,
    syncs?: SyncRef[],
    connectionId?: string,
    optsOrMode?: TriggerSyncOptions | SyncMode,
  ): Promise<SuccessReply> {
    return this.json(triggerSyncRequest(providerConfigKey, syncs, connectionId, optsOrMode));
  }

  /**
   * `POST /sync/start`: (re)starts the syncs' schedules (all of the integration when `syncs` is empty) for one
   * Connection or all; a sync never run runs at once. No effect on a started one. Resolves with the body (the
   * official SDK gives the axios response).
   * @throws NangoError `unknown_integration`, `unknown_sync`, `connection_not_found`, `invalid_argument`
   */
  async startSync(providerConfigKey: string, syncs: SyncRef[], connectionId?: string): Promise<SuccessReply> {
    return this.json(scheduleRequest('start', providerConfigKey, syncs, connectionId));
  }

  /**
   * `POST /sync/pause`: stops the syncs' schedules until `startSync` (a `triggerSync` still runs them once).
   * Resolves with the body (the official SDK gives the axios response).
   * @throws NangoError `unknown_integration`, `unknown_sync`, `connection_not_found`, `invalid_argument`
   */
  async pauseSync(providerConfigKey: string, syncs: SyncRef[], connectionId?: string): Promise<SuccessReply> {
    return this.json(scheduleRequest('pause', providerConfigKey, syncs, connectionId));
  }

  /**
   * `GET /sync/status`: status, last result, frequency, next run, record counts and checkpoint of the syncs (`'*'`:
   * all of the integration), for one Connection or all of them.
   * @throws NangoError `unknown_integration`, `unknown_sync`, `connection_not_found`, `invalid_argument`
   */
  async syncStatus(providerConfigKey: string, syncs: '*' | SyncRef[], connectionId?: string): Promise<SyncStatusReply> {
    return this.json(syncStatusRequest(providerConfigKey, syncs, connectionId));
  }

  /**
   * `PUT /sync/update-connection-frequency`: the sync's frequency for this Connection (`'every 2 hours'`, at least
   * 5 minutes), or back to the sync's own with `null`. Resolves with the frequency now in force.
   * @throws NangoError `invalid_request` (unreadable or under 5 minutes), `unknown_sync`, `connection_not_found`,
   *   `invalid_argument`
   */
  async updateSyncConnectionFrequency(
    providerConfigKey: string,
    sync: SyncRef,
    connectionId: string,
    frequency: string | null,
  ): Promise<UpdateSyncFrequencyReply> {
    return this.json(syncFrequencyRequest(providerConfigKey, sync, connectionId, frequency));
  }

  /**
   * `POST /sync/:name/variant/:variant`: a variant of the sync for one Connection, scheduled as the sync is declared,
   * with its own checkpoint and records (`variant` of listRecords, `{ name, variant }` of the sync methods).
   * @throws NangoError `sync_variant_exists` (409), `invalid_request` (`base` or a bad name), `unknown_sync`,
   *   `connection_not_found`, `invalid_argument`
   */
  async createSyncVariant(props: SyncVariantProps): Promise<SyncVariantReply> {
    return this.json(syncVariantRequest('POST', props));
  }

  /**
   * `DELETE /sync/:name/variant/:variant`: the variant's schedule and records.
   * @throws NangoError `unknown_sync` (also when there is no such variant), `connection_not_found`, `invalid_argument`
   */
  async deleteSyncVariant(props: SyncVariantProps): Promise<SuccessReply> {
    return this.json(syncVariantRequest('DELETE', props));
  }

  // ----- Environment -----------------------------------------------------------------------------------------

  /** `GET /environment-variables`: what the server's NANGO_ENVIRONMENT_VARIABLES lists (`[]` when nothing). */
  async getEnvironmentVariables(): Promise<EnvironmentVariable[]> {
    return (
      (await this.json<EnvironmentVariable[] | null>({ method: 'GET', path: '/environment-variables', jsonContentType: true })) ??
      []
    );
  }

  // ----- Operations log (this server's; not in the official SDK) ---------------------------------------------

  /**
   * `GET /logs/operations`: what the server did (connects, refreshes, actions, syncs, proxy calls, webhooks…), newest
   * first, filtered; page with `cursor: reply.next_cursor`.
   * @throws NangoError `invalid_request` (a bad filter, named), `invalid_argument` (an invalid Date)
   */
  async listOperations(filters: ListOperationsFilters = {}): Promise<ListOperationsReply> {
    return this.json(listOperationsRequest(filters));
  }

  /**
   * `GET /logs/operations/:id`: one operation with its messages, oldest first; page them with
   * `messagesCursor: reply.next_messages_cursor`.
   * @throws NangoError `not_found` (404: never there, or pruned), `invalid_request`, `invalid_argument`
   */
  async getOperation(id: string, options: GetOperationOptions = {}): Promise<GetOperationReply> {
    return this.json(getOperationRequest(id, options));
  }

  // ----- Webhooks --------------------------------------------------------------------------------------------

  /**
   * True when the webhook's `X-Nango-Hmac-Sha256` header is the HMAC-SHA256 of the raw `body` with
   * `webhookSigningKey` (else `secretKey`; never `apiKey`), as the server signs it (contract E.1).
   */
  verifyIncomingWebhookRequest(body: string | Uint8Array, headers: Readonly<Record<string, unknown>>): boolean {
    return verifyIncomingWebhookRequest(body, headers, this.webhookSigningKey);
  }

  private json<T>(request: HttpRequest): Promise<T> {
    return requestJson<T>(this.http, request);
  }
}
