import type { NangoAuthCredentials, NangoConnection, NangoConnectionPublic } from './connection';

/**
 * Requests the client sends to the worker. Each is one JSON object whose `type` names it; the AMQP message
 * carries `correlationId` and `replyTo`, and the worker answers with a ReplyEnvelope on `replyTo`.
 */
export interface RegisterConnectionMessage {
  type: 'registerConnection';
  integration: string;
  userId: string;
  credentials: NangoAuthCredentials;
  additionalConfig?: Record<string, unknown>;
}

export interface UpdateConnectionConfigMessage {
  type: 'updateConnectionConfig';
  integration: string;
  userId: string;
  additionalConfig: Record<string, unknown>;
}

export interface UpdateConnectionCredentialsMessage {
  type: 'updateConnectionCredentials';
  integration: string;
  userId: string;
  credentials: NangoAuthCredentials;
}

export interface GetConnectionsForUserIdMessage {
  type: 'getConnectionsForUserId';
  userId: string;
}

export interface GetConnectionsForIntegrationMessage {
  type: 'getConnectionsForIntegration';
  integration: string;
}

export interface TriggerActionMessage {
  type: 'triggerAction';
  integration: string;
  action: string;
  userId: string;
  input?: Record<string, unknown>;
  /**
   * Makes the call safe to retry: the first outcome for this key (per integration and user id) is kept and
   * returned to later calls with the same key instead of running the action again.
   */
  idempotencyKey?: string;
}

/** The credentials to call the API with (specs 3 and 4); see NangoToken for the shape per auth mode. */
export interface GetTokenMessage {
  type: 'getToken';
  integration: string;
  userId: string;
  /** Refresh an OAuth 2 access token even if it does not expire soon. Default: false. */
  forceRefresh?: boolean;
}

/** The `raw` credentials: what the provider's token endpoint (or the caller) last gave (spec 3). */
export interface GetRawTokenResponseMessage {
  type: 'getRawTokenResponse';
  integration: string;
  userId: string;
}

/** One Connection with fresh credentials (spec 4). */
export interface GetConnectionMessage {
  type: 'getConnection';
  integration: string;
  userId: string;
  /** Refresh an OAuth 2 access token even if it does not expire soon. Default: false. */
  forceRefresh?: boolean;
  /** Include the refresh token in the credentials (and in `raw`). Default: false. */
  refreshToken?: boolean;
}

/** A summary of every Connection, or of one user's (spec 4), never with credentials. */
export interface ListConnectionsMessage {
  type: 'listConnections';
  userId?: string;
}

/** Deletes one Connection (spec 5). */
export interface DeleteConnectionMessage {
  type: 'deleteConnection';
  integration: string;
  userId: string;
}

/** A Connection's metadata, which is its `additionalConfig` (spec 5). */
export interface GetMetadataMessage {
  type: 'getMetadata';
  integration: string;
  userId: string;
}

/** Replaces the metadata of one or more Connections of an integration, all or none (spec 5). */
export interface SetMetadataMessage {
  type: 'setMetadata';
  integration: string;
  /** One user id or more; the client sends a single one as a list of one. */
  userIds: string[];
  metadata: Record<string, unknown>;
}

/** Merges top-level keys into the metadata of one or more Connections of an integration, all or none (spec 5). */
export interface UpdateMetadataMessage {
  type: 'updateMetadata';
  integration: string;
  /** One user id or more; the client sends a single one as a list of one. */
  userIds: string[];
  metadata: Record<string, unknown>;
}

/**
 * What getToken returns, per auth mode: OAUTH2 the access token, API_KEY the key, OAUTH1
 * `{ oAuthToken, oAuthTokenSecret }`, USERNAME_PASSWORD `{ username, password }`.
 */
export type NangoToken =
  | string
  | { oAuthToken: string; oAuthTokenSecret: string }
  | { username: string; password: string }
  /** Every other auth mode: its stored credential fields, as Nango's getToken returns them (without `raw`). */
  | Record<string, unknown>;

/** One entry of listConnections, named as in spec 4: `connection_id` is the user id, `provider` the integration. */
export interface NangoConnectionSummary {
  connection_id: string;
  provider: string;
  /** ISO 8601 UTC timestamp of registration. */
  created: string;
}

/** Any request, discriminated by `type`. */
export type NangoMessage =
  | RegisterConnectionMessage
  | UpdateConnectionConfigMessage
  | UpdateConnectionCredentialsMessage
  | GetConnectionsForUserIdMessage
  | GetConnectionsForIntegrationMessage
  | TriggerActionMessage
  | GetTokenMessage
  | GetRawTokenResponseMessage
  | GetConnectionMessage
  | ListConnectionsMessage
  | DeleteConnectionMessage
  | GetMetadataMessage
  | SetMetadataMessage
  | UpdateMetadataMessage;

/** The name of a request, e.g. 'triggerAction'. */
export type MessageType = NangoMessage['type'];

/** What a successful reply's `returnValue` holds, per request type. */
export interface MessageReturnValues {
  registerConnection: undefined;
  updateConnectionConfig: undefined;
  updateConnectionCredentials: undefined;
  getConnectionsForUserId: NangoConnectionPublic[];
  getConnectionsForIntegration: NangoConnectionPublic[];
  triggerAction: unknown;
  getToken: NangoToken;
  getRawTokenResponse: Record<string, unknown>;
  /** Without `refresh_token` in `credentials` and `credentials.raw` unless the message asked for it. */
  getConnection: NangoConnection;
  listConnections: { connections: NangoConnectionSummary[] };
  deleteConnection: undefined;
  getMetadata: Record<string, unknown>;
  setMetadata: undefined;
  updateMetadata: undefined;
}

/** All request types: the client reference's (spec 1) in its order, then the token API's (specs 3 to 5). */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'registerConnection',
  'updateConnectionConfig',
  'updateConnectionCredentials',
  'getConnectionsForUserId',
  'getConnectionsForIntegration',
  'triggerAction',
  'getToken',
  'getRawTokenResponse',
  'getConnection',
  'listConnections',
  'deleteConnection',
  'getMetadata',
  'setMetadata',
  'updateMetadata',
];

/** AMQP header that carries the caller's deadline (epoch milliseconds); past it nobody waits for the reply. */
export const DEADLINE_HEADER = 'x-nango-deadline';

/** Largest request body the client sends and the worker accepts, unless configured otherwise: 1 MiB. */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

/** Queue the worker consumes and the client publishes to unless NANGO_QUEUE or an option says otherwise. */
export const DEFAULT_QUEUE = 'nango.requests';

/**
 * Request types whose body carries a Connection's credentials. The client publishes them non-persistent to the
 * credentials queue, which has no dead-letter queue, so no credential is written to the broker's disk or kept
 * in `<queue>.dead`; the worker refuses them from anywhere else (docs/operations.md, "What crosses the broker").
 */
export const CREDENTIAL_MESSAGE_TYPES: readonly MessageType[] = ['registerConnection', 'updateConnectionCredentials'];

/** True for the request types listed in CREDENTIAL_MESSAGE_TYPES. */
export function carriesCredentials(type: unknown): boolean {
  return CREDENTIAL_MESSAGE_TYPES.includes(type as MessageType);
}

/** Name of the queue that takes the credential-bearing requests of `queue`'s workers: `<queue>.credentials`. */
export function credentialsQueue(queue: string): string {
  return `${queue}.credentials`;
}
