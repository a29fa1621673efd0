/**
 * The wire types of the REST API as this SDK sends and reads them (contract C.3). Fields this server adds to Nango's
 * shapes are marked; objects that may carry more fields than listed have an index signature.
 */

/** What `new Nango(…)` takes. Exactly one of `secretKey` and `apiKey`. */
export interface NangoOptions {
  /** The server's URL. Default `http://localhost:3003` (the official SDK defaults to Nango Cloud). */
  host?: string;
  /** The server's secret key (NANGO_SECRET_KEY), sent as `Authorization: Bearer <key>`; also signs webhooks. */
  secretKey?: string;
  /** Same as `secretKey` for the API (the official SDK's newer name); it never verifies webhooks. */
  apiKey?: string;
  /** The key webhooks are signed with, when it is not the secret key. */
  webhookSigningKey?: string;
  /** Appended to the User-Agent. */
  userAgent?: string;
}

/** A JSON object as it comes off the wire. */
export type JsonObject = { [key: string]: unknown };

// ----- Providers -----------------------------------------------------------------------------------------------

/** One entry of the providers catalog (Nango's providers.yaml fields) plus its `name` and `logo_url`. */
export interface Provider {
  name: string;
  display_name?: string;
  auth_mode: string;
  logo_url: string;
  categories?: string[];
  docs?: string;
  [field: string]: unknown;
}

/** `listProviders` filters. */
export interface ListProvidersQuery {
  /** Keeps providers whose name or display name contains it (any case). */
  search?: string;
}

// ----- Integrations --------------------------------------------------------------------------------------------

/** The OAuth client of an integration, only with `include: ['credentials']`. */
export interface IntegrationCredentials {
  type: 'OAUTH2' | 'OAUTH1';
  client_id: string;
  client_secret: string;
  scopes: string;
}

/** An integration (`GET /integrations/:key`). */
export interface Integration {
  unique_key: string;
  display_name: string;
  provider: string | null;
  logo: string | null;
  /** This server: the provider's auth mode. */
  auth_mode?: string;
  /** This server: `file` (integrations.yaml, read-only) or `runtime` (made through the API, kept in the database). */
  source?: 'file' | 'runtime';
  forward_webhooks?: boolean;
  integration_config?: JsonObject;
  created_at: string | null;
  updated_at: string | null;
  /** Only with `include: ['webhook']`. */
  webhook_url?: string | null;
  /** Only with `include: ['credentials']`. */
  credentials?: IntegrationCredentials | null;
  [field: string]: unknown;
}

/** What `getIntegration` may add to the integration. */
export type IntegrationInclude = 'webhook' | 'credentials';

/** OAuth client credentials, in either shape the server accepts (contract C.5). */
export type IntegrationCredentialsInput =
  | { oauth_client_id: string; oauth_client_secret: string; oauth_scopes?: string | string[] }
  | { type: 'OAUTH2' | 'OAUTH1'; client_id: string; client_secret: string; scopes?: string | string[]; webhook_secret?: string };

/** The body of `createIntegration`. */
export interface CreateIntegrationBody {
  provider: string;
  unique_key: string;
  display_name?: string;
  forward_webhooks?: boolean;
  credentials?: IntegrationCredentialsInput;
  integration_config?: JsonObject;
  /** Nango's APP/CUSTOM settings: accepted by this server, not stored. */
  custom?: JsonObject;
}

/** The body of `updateIntegration`: every field optional; credentials may carry only the parts that change. */
export interface UpdateIntegrationBody {
  /** Renames the integration (its Connections move with it). */
  unique_key?: string;
  display_name?: string;
  forward_webhooks?: boolean;
  credentials?: Partial<{
    type: 'OAUTH2' | 'OAUTH1';
    client_id: string;
    client_secret: string;
    scopes: string | string[];
    oauth_client_id: string;
    oauth_client_secret: string;
    oauth_scopes: string | string[];
  }>;
  integration_config?: JsonObject;
  custom?: JsonObject;
}

// ----- Connect sessions ----------------------------------------------------------------------------------------

/** The end user a session (and the Connection it makes) is for. */
export interface EndUserInput {
  id: string;
  email?: string;
  display_name?: string;
  tags?: Record<string, string>;
}

/** Per-integration defaults a session applies. */
export interface IntegrationConfigDefaults {
  user_scopes?: string;
  authorization_params?: Record<string, string>;
  connection_config?: JsonObject;
}

/** The body of `createConnectSession`. */
export interface CreateConnectSessionBody {
  end_user?: EndUserInput;
  organization?: { id: string; display_name?: string };
  /** Copied onto the Connection made through the session. */
  tags?: Record<string, string>;
  allowed_integrations?: string[];
  integrations_config_defaults?: Record<string, IntegrationConfigDefaults>;
  overrides?: Record<string, JsonObject>;
  webhook_url_override?: string;
}

/** The body of `createReconnectSession`. */
export interface CreateReconnectSessionBody extends Omit<CreateConnectSessionBody, 'allowed_integrations'> {
  connection_id: string;
  integration_id: string;
}

/** What both session calls answer. */
export interface ConnectSessionReply {
  data: { token: string; connect_link: string; expires_at: string };
}

// ----- Connections ---------------------------------------------------------------------------------------------

/** A Connection's end user, when it has one. */
export interface ConnectionEndUser {
  id: string;
  display_name?: string | null;
  email?: string | null;
  tags?: Record<string, string>;
  organization?: { id: string; display_name?: string | null } | null;
}

/** A Connection in a list: never credentials. */
export interface ConnectionListItem {
  id?: number | string;
  connection_id: string;
  provider_config_key: string;
  provider: string;
  errors?: Array<{ type: string; log_id: string }>;
  end_user?: ConnectionEndUser | null;
  tags?: Record<string, string>;
  metadata?: JsonObject | null;
  created: string;
  [field: string]: unknown;
}

/** `listConnections` filters (the object form). */
export interface ListConnectionsQuery {
  connectionId?: string;
  /** The end user id (sent as `endUserId`). */
  userId?: string;
  integrationId?: string | string[];
  /** Tags the Connection must carry (containment); `displayName` and `email` mean the end user's. */
  tags?: Record<string, string>;
  limit?: number;
  page?: number;
}

/** The legacy third argument of `listConnections(connectionId?, search?, queries?)`. */
export interface ListConnectionsLegacyQuery {
  endUserId?: string;
  endUserOrganizationId?: string;
  limit?: number;
  page?: number;
}

/** OAuth 2 credentials of a Connection. */
export interface OAuth2Credentials {
  type: 'OAUTH2';
  access_token: string;
  /** Only with `refreshToken: true`. */
  refresh_token?: string;
  expires_at?: string | null;
  raw: JsonObject;
}

/** OAuth 1.0a credentials of a Connection. */
export interface OAuth1Credentials {
  type: 'OAUTH1';
  oauth_token: string;
  oauth_token_secret: string;
  raw: JsonObject;
}

/** API-key credentials of a Connection. */
export interface ApiKeyCredentials {
  type: 'API_KEY';
  apiKey: string;
  raw?: JsonObject;
}

/** Username and password credentials of a Connection. */
export interface BasicCredentials {
  type: 'BASIC';
  username: string;
  password: string;
  raw?: JsonObject;
}

/** Any other auth mode the server may report. */
export interface OtherCredentials {
  type: string;
  raw?: JsonObject;
  [field: string]: unknown;
}

export type ConnectionCredentials =
  OAuth2Credentials | OAuth1Credentials | ApiKeyCredentials | BasicCredentials | OtherCredentials;

/** A Connection with its credentials (`getConnection`, contract C.3.1). */
export interface Connection {
  id?: number | string;
  connection_id: string;
  provider_config_key: string;
  provider?: string;
  credentials: ConnectionCredentials;
  connection_config: JsonObject;
  metadata: JsonObject | null;
  tags?: Record<string, string>;
  end_user?: ConnectionEndUser | null;
  errors?: Array<{ type: string; log_id: string }>;
  created_at: string;
  updated_at: string;
  last_fetched_at?: string | null;
  [field: string]: unknown;
}

/** What `getToken` gives for OAuth 1.0a. */
export interface OAuth1Token {
  oAuthToken: string;
  oAuthTokenSecret: string;
}

/** The body of `patchConnection`. */
export interface PatchConnectionBody {
  tags?: Record<string, string>;
  end_user?: EndUserInput;
  webhook_url_override?: string | null;
}

/** What `setMetadata` and `updateMetadata` answer: the request, echoed. */
export interface MetadataReply<M extends JsonObject = JsonObject> {
  metadata: M;
  connection_id: string | string[];
  provider_config_key: string;
}

/** Options of `waitForConnection`. */
export interface WaitForConnectionOptions {
  /** Stops the wait: the promise rejects with NangoError `aborted`. */
  signal?: AbortSignal;
  /** How long to wait in all. Default 60 000 (spec 5). */
  timeoutMs?: number;
  /** Time between two polls. Default 2 000 (spec 5). */
  intervalMs?: number;
}

// ----- Proxy ---------------------------------------------------------------------------------------------------

/** How the proxy's reply body is read; see ProxyResponse.data. */
export type ProxyResponseType = 'arraybuffer' | 'blob' | 'document' | 'json' | 'text' | 'stream';

/** One proxied call. */
export interface ProxyConfiguration {
  /** The API path, e.g. `/repos/octocat/hello-world` (a query string may be in it, unless `params` is a string). */
  endpoint: string;
  providerConfigKey: string;
  connectionId: string;
  /** Any HTTP method; default GET. */
  method?: string;
  /** Sent to the API (as `Nango-Proxy-<name>` to the server, which strips the prefix). */
  headers?: Record<string, string>;
  /** Query parameters: an object (set one by one) or a ready query string. */
  params?: string | Record<string, string | number>;
  /** The body: JSON for objects, as-is for strings, Buffers, typed arrays and streams. Sent with DELETE too. */
  data?: unknown;
  /** How many times the server retries on network errors, 5xx, 429 and `retryOn`. Default 0. */
  retries?: number;
  /** Further statuses the server retries on. */
  retryOn?: number[];
  /** Replaces the provider's base URL (the server may restrict it to NANGO_PROXY_ALLOWED_HOSTS). */
  baseUrlOverride?: string;
  decompress?: boolean;
  forwardHeadersOnRedirect?: boolean;
  /** Default `json`. */
  responseType?: ProxyResponseType;
}

/** A proxied call's method-less form, for `get`, `post`, `put`, `patch` and `delete`. */
export type ProxyCallConfiguration = Omit<ProxyConfiguration, 'method'>;

/**
 * The API's answer, as the server streamed it back. `data` is, by `responseType`: `json` (default) the parsed JSON
 * (the text when it is not JSON, undefined when empty); `text` and `document` a string; `arraybuffer` an ArrayBuffer;
 * `blob` a Blob; `stream` a Node.js Readable. The official SDK returns an axios response with these same fields.
 */
export interface ProxyResponse<T = unknown> {
  status: number;
  statusText: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  data: T;
}

// ----- Actions and scripts -------------------------------------------------------------------------------------

/** What `triggerActionAsync` answers. */
export interface AsyncActionReply {
  id: string;
  statusUrl: string;
}

/** `getAsyncActionResult` takes the id or the status URL. */
export type AsyncActionRef = { id: string; statusUrl?: undefined } | { statusUrl: string; id?: undefined };

/** One integration's scripts in the `nango` format of `getScriptsConfig`. */
export interface NangoScriptsConfig {
  providerConfigKey: string;
  provider?: string;
  syncs: JsonObject[];
  actions: Array<{ name: string; description?: string; input?: unknown; [field: string]: unknown }>;
  'on-events'?: JsonObject[];
  [field: string]: unknown;
}

/** The `openai` format of `getScriptsConfig`: one function per action. */
export interface OpenAIScriptsConfig {
  data: Array<{
    name: string;
    description: string;
    parameters: { type: 'object'; properties: JsonObject; required: string[] };
  }>;
}

/** A plain success reply. */
export interface SuccessReply {
  success: true;
}

// ----- Syncs and records ---------------------------------------------------------------------------------------

/** How a record last changed. */
export type RecordLastAction = 'ADDED' | 'UPDATED' | 'DELETED';

/** What the server keeps about every record, beside its payload (`_nango_metadata`). */
export interface RecordMetadata {
  /** ISO 8601: when a run first saved it. */
  first_seen_at: string;
  /** ISO 8601: when its payload last changed (or it was deleted). */
  last_modified_at: string;
  last_action: RecordLastAction;
  /** ISO 8601, once a run deleted it. */
  deleted_at: string | null;
  /** ISO 8601, once `pruneRecords` dropped its payload (only `id` and `_nango_metadata` are left). */
  pruned_at: string | null;
  /** Where this record sits in the model's changes: `cursor` for `listRecords`, `untilCursor` for `pruneRecords`. */
  cursor: string;
}

/** A synced record: the payload the sync saved (of type T), its id and `_nango_metadata`. */
export type NangoRecord<T extends object = JsonObject> = T & { id: string | number; _nango_metadata: RecordMetadata };

/** One `listRecords` filter value. */
export type RecordFilterAction = 'added' | 'updated' | 'deleted' | 'ADDED' | 'UPDATED' | 'DELETED';

/** `listRecords` `filter`: one action, or a comma list of them. */
export type RecordFilter =
  | RecordFilterAction
  | `${RecordFilterAction},${RecordFilterAction}`
  | `${RecordFilterAction},${RecordFilterAction},${RecordFilterAction}`;

/** What `listRecords` takes. */
export interface ListRecordsConfig {
  providerConfigKey: string;
  connectionId: string;
  /** The model's name, as integrations.yaml declares it. */
  model: string;
  /** The sync variant; default the base one. */
  variant?: string;
  /** ISO 8601: only records changed after it (sent as `modified_after`). */
  modifiedAfter?: string;
  /** @deprecated the old name of `modifiedAfter` */
  delta?: string;
  /** Records per page: default 100, at most 10 000. */
  limit?: number;
  /** Only records whose last change was one of these. */
  filter?: RecordFilter;
  /** `next_cursor` of the previous page, or a record's `_nango_metadata.cursor`: the changes after it. */
  cursor?: string | null;
  /** Only these records. */
  ids?: string[];
}

/** One page of records, oldest change first; `next_cursor` is null on the last page. */
export interface ListRecordsReply<T extends object = JsonObject> {
  records: Array<NangoRecord<T>>;
  next_cursor: string | null;
}

/** What `pruneRecords` takes. */
export interface PruneRecordsConfig {
  providerConfigKey: string;
  connectionId: string;
  model: string;
  variant?: string;
  /** A record's `_nango_metadata.cursor`: payloads up to it (included) are dropped. */
  untilCursor: string;
  /** Records pruned in this call: default 1000. */
  limit?: number;
}

/** What `pruneRecords` answers: how many records lost their payload, and whether more are left before the cursor. */
export interface PruneRecordsReply {
  count: number;
  has_more: boolean;
}

/** A sync by name (its base variant), or by name and variant. */
export type SyncRef = string | { name: string; variant?: string };

/** `triggerSync` options. */
export interface TriggerSyncOptions {
  /** Starts over: no checkpoint, a full run. */
  reset?: boolean;
  /** With `reset`: deletes the sync's records first. */
  emptyCache?: boolean;
}

/** The legacy fourth argument of `triggerSync`: a sync mode, or `true` for `full_refresh` (`false`: `incremental`). */
export type SyncMode = 'incremental' | 'full_refresh' | 'full_refresh_and_clear_cache' | boolean;

/** A sync's state for one Connection. */
export type SyncStatusValue = 'RUNNING' | 'SUCCESS' | 'ERROR' | 'PAUSED' | 'STOPPED';

/** What one run did to one model. */
export interface SyncModelResult {
  added: number;
  updated: number;
  deleted: number;
}

/** One sync of one Connection in `syncStatus`. */
export interface SyncStatus {
  id: string;
  /** INITIAL while the next run is full, else INCREMENTAL. */
  type: 'INITIAL' | 'INCREMENTAL';
  name: string;
  variant: string;
  connection_id: string;
  /** RUNNING while a run goes, PAUSED, else how the last run ended (STOPPED before any). */
  status: SyncStatusValue;
  /** The last run's counts per model. */
  latestResult: Record<string, SyncModelResult>;
  /** E.g. `every hour`: the Connection's own, else the sync's. */
  frequency: string;
  /** ISO 8601, or null before any run. */
  finishedAt: string | null;
  /** ISO 8601, or null while paused. */
  nextScheduledSyncAt: string | null;
  latestExecutionStatus: SyncStatusValue | null;
  /** Live (not deleted) records per model. */
  recordCount: Record<string, number>;
  /** What the script saved with `saveCheckpoint`. */
  checkpoint: JsonObject | null;
  [field: string]: unknown;
}

/** What `syncStatus` answers. */
export interface SyncStatusReply {
  syncs: SyncStatus[];
}

/** What `updateSyncConnectionFrequency` answers: the frequency now in force. */
export interface UpdateSyncFrequencyReply {
  frequency: string;
}

/** A variant of a sync for one Connection, as `createSyncVariant` and `deleteSyncVariant` take it. */
export interface SyncVariantProps {
  provider_config_key: string;
  connection_id: string;
  /** The sync's name. */
  name: string;
  /** The variant's name: letters, digits, `_` and `-`, not `base`. */
  variant: string;
}

/** What `createSyncVariant` answers: the new schedule's id (as `syncStatus` shows it), the sync and the variant. */
export interface SyncVariantReply {
  id: string;
  name: string;
  variant: string;
}

/** One entry of `getEnvironmentVariables`: what the server's NANGO_ENVIRONMENT_VARIABLES lists. */
export interface EnvironmentVariable {
  name: string;
  value: string;
}
