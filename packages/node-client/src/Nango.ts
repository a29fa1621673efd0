import type {
  MessageReturnValues,
  MessageType,
  NangoAuthCredentials,
  NangoConnection,
  NangoConnectionPublic,
  NangoConnectionSummary,
  NangoMessage,
  NangoMessageHandlerResult,
  NangoToken,
} from '@nangohq/protocol';
import { NangoError } from './NangoError';
import {
  assertTimeoutMs,
  resolveClientOptions,
  type CallOptions,
  type NangoClientOptions,
  type ResolvedClientOptions,
  type TriggerActionOptions,
} from './options';
import { RpcTransport, type AmqpConnect } from './RpcTransport';
import {
  optionalFlag,
  optionalIdempotencyKey,
  serialise,
  toMetadata,
  toUserId,
  toUserIds,
  type UserId,
} from './messageArguments';

export type { UserId } from './messageArguments';

/** What every method resolves with. */
type Reply<T> = Promise<NangoMessageHandlerResult<T>>;

/**
 * The Nango node client. Create it, `await connect()`, call the methods, and `await close()` when done.
 * Every method resolves with `{ success: true, returnValue }` and rejects with a NangoError, which is also a
 * `{ success: false, errorMsg }` result and carries a machine-readable `code`.
 */
export class Nango {
  private readonly options: ResolvedClientOptions;
  private readonly transport: RpcTransport;

  /** `new Nango()` connects to localhost:5672; `new Nango(host, port)` elsewhere. */
  constructor(host?: string, port?: number);
  /** `new Nango({ url: 'amqps://user:pass@host/vhost', requestTimeoutMs: 5000 })` for real deployments. */
  constructor(options: NangoClientOptions);
  /** @internal tests pass a fake amqplib connect function */
  constructor(options: NangoClientOptions, amqpConnect: AmqpConnect);
  constructor(hostOrOptions?: string | NangoClientOptions, portOrConnect?: number | AmqpConnect) {
    if (typeof hostOrOptions === 'object' && hostOrOptions !== null) {
      this.options = resolveClientOptions(hostOrOptions);
      const connect = typeof portOrConnect === 'function' ? portOrConnect : undefined;
      this.transport = new RpcTransport(this.options, connect);
    } else {
      const port = typeof portOrConnect === 'number' ? portOrConnect : undefined;
      this.options = resolveClientOptions({
        ...(hostOrOptions !== undefined && { host: hostOrOptions }),
        ...(port !== undefined && { port }),
      });
      this.transport = new RpcTransport(this.options);
    }
  }

  /** The queue this client publishes to. */
  get queue(): string {
    return this.options.queue;
  }

  /**
   * Whether the link to RabbitMQ is up right now: false before connect() resolves, while a dropped connection is
   * being made again, and after close(). A server's readiness check reads it; calls need not (they wait for the link).
   */
  get connected(): boolean {
    return this.transport.isOpen;
  }

  /**
   * Calls waiting for a reply, or for a dropped connection to come back; 0 after close(). Lets tests check that
   * no call is left behind.
   */
  get pendingCount(): number {
    return this.transport.pendingCount;
  }

  /**
   * Connects to RabbitMQ. Resolves when calls can be sent. Call it once: if the connection drops later, the
   * client reconnects by itself, and calls made meanwhile wait for it (within their timeout).
   * @throws NangoError `connection_failed` (broker unreachable or login refused, after `connectRetries`
   *   retries), `client_closed`.
   */
  connect(): Promise<void> {
    return this.transport.connect();
  }

  /**
   * Registers the Connection of `userId` to `integration`. Credentials must fit the integration's auth mode.
   * @throws NangoError `connection_exists`, `invalid_credentials`, `unknown_integration`, `invalid_message`,
   *   `request_too_large`, `metadata_too_large` (additionalConfig over the worker's NANGO_MAX_METADATA_BYTES), ...
   */
  async registerConnection(
    integration: string,
    userId: UserId,
    credentials: NangoAuthCredentials,
    additionalConfig?: Record<string, unknown>,
    options?: CallOptions,
  ): Reply<undefined> {
    return this.send(
      {
        type: 'registerConnection',
        integration,
        userId: toUserId(userId),
        credentials,
        ...(additionalConfig !== undefined && { additionalConfig }),
      },
      options,
    );
  }

  /**
   * Replaces the `additionalConfig` of an existing Connection.
   * @throws NangoError `connection_not_found`, `invalid_message`, `invalid_argument` (not JSON-serialisable),
   *   `metadata_too_large` (over the worker's NANGO_MAX_METADATA_BYTES), ...
   */
  async updateConnectionConfig(
    integration: string,
    userId: UserId,
    additionalConfig: Record<string, unknown>,
    options?: CallOptions,
  ): Reply<undefined> {
    return this.send({ type: 'updateConnectionConfig', integration, userId: toUserId(userId), additionalConfig }, options);
  }

  /**
   * Replaces the credentials of an existing Connection; they must fit the integration's auth mode.
   * @throws NangoError `connection_not_found`, `invalid_credentials`, `unknown_integration`, ...
   */
  async updateConnectionCredentials(
    integration: string,
    userId: UserId,
    credentials: NangoAuthCredentials,
    options?: CallOptions,
  ): Reply<undefined> {
    return this.send({ type: 'updateConnectionCredentials', integration, userId: toUserId(userId), credentials }, options);
  }

  /** All Connections of one user, without credentials; an empty array when there are none. */
  async getConnectionsForUserId(userId: UserId, options?: CallOptions): Reply<NangoConnectionPublic[]> {
    return this.send({ type: 'getConnectionsForUserId', userId: toUserId(userId) }, options);
  }

  /** All Connections of one integration, without credentials; an empty array when there are none. */
  async getConnectionsForIntegration(integration: string, options?: CallOptions): Reply<NangoConnectionPublic[]> {
    return this.send({ type: 'getConnectionsForIntegration', integration }, options);
  }

  /**
   * Runs `action` of `integration` with the Connection of `userId`; resolves with what executeAction returned.
   * With `options.idempotencyKey`, a retried call returns the first call's outcome instead of running again.
   * @throws NangoError `action_failed` (errorMsg is the action's message), `unknown_action`,
   *   `connection_not_found`, `action_load_failed`, `action_timeout`, `action_result_not_json`,
   *   `action_outcome_unknown`, `invalid_argument`, `timeout`, `connection_lost`, ...
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the reference types the result as any
  async triggerAction<T = any>(
    integration: string,
    triggerAction: string,
    userId: UserId,
    input: Record<string, unknown> = {},
    options?: TriggerActionOptions,
  ): Reply<T> {
    const key = optionalIdempotencyKey(options?.idempotencyKey);
    const result = await this.send(
      { type: 'triggerAction', integration, action: triggerAction, userId: toUserId(userId), input, ...key },
      options,
    );
    return result as NangoMessageHandlerResult<T>;
  }

  /**
   * The credentials to call the API with (spec 3): OAUTH2 the access token, refreshed first if it expires soon
   * (or always with `forceRefresh`); API_KEY the key; OAUTH1 `{ oAuthToken, oAuthTokenSecret }`;
   * USERNAME_PASSWORD `{ username, password }`. Ask for it before every API call rather than caching it.
   * @throws NangoError `connection_not_found`, `unknown_integration`, `connection_needs_reauthorization`,
   *   `token_refresh_failed` (retryable), `refresh_not_possible`, `invalid_credentials`, `invalid_argument`, ...
   */
  async getToken(integration: string, userId: UserId, forceRefresh?: boolean, options?: CallOptions): Reply<NangoToken> {
    const flags = optionalFlag('forceRefresh', forceRefresh);
    return this.send({ type: 'getToken', integration, userId: toUserId(userId), ...flags }, options);
  }

  /**
   * The provider's last token response (`credentials.raw`), or what was registered if the worker never refreshed.
   * @throws NangoError the codes of getToken
   */
  async getRawTokenResponse(integration: string, userId: UserId, options?: CallOptions): Reply<Record<string, unknown>> {
    return this.send({ type: 'getRawTokenResponse', integration, userId: toUserId(userId) }, options);
  }

  /**
   * The Connection with fresh credentials (spec 4); the refresh token is left out of `credentials` and
   * `credentials.raw` unless `refreshToken` is true. `forceRefresh` refreshes an OAuth 2 token even if still valid.
   * @throws NangoError the codes of getToken
   */
  async getConnection(
    integration: string,
    userId: UserId,
    forceRefresh?: boolean,
    refreshToken?: boolean,
    options?: CallOptions,
  ): Reply<NangoConnection> {
    const flags = { ...optionalFlag('forceRefresh', forceRefresh), ...optionalFlag('refreshToken', refreshToken) };
    return this.send({ type: 'getConnection', integration, userId: toUserId(userId), ...flags }, options);
  }

  /**
   * `{ connections: [{ connection_id, provider, created }] }` (spec 4; `connection_id` is the user id, `provider`
   * the integration) for every Connection, or for one user's. No credentials; nothing is refreshed.
   * @throws NangoError `invalid_argument`, `reply_too_large` (too many to list at once), ...
   */
  async listConnections(userId?: UserId, options?: CallOptions): Reply<{ connections: NangoConnectionSummary[] }> {
    return this.send({ type: 'listConnections', ...(userId !== undefined && { userId: toUserId(userId) }) }, options);
  }

  /** Deletes the Connection and its credentials. @throws NangoError `connection_not_found`, `invalid_argument`, ... */
  async deleteConnection(integration: string, userId: UserId, options?: CallOptions): Reply<undefined> {
    return this.send({ type: 'deleteConnection', integration, userId: toUserId(userId) }, options);
  }

  /** The Connection's metadata, i.e. its `additionalConfig`. @throws NangoError `connection_not_found`, ... */
  async getMetadata<T = Record<string, unknown>>(integration: string, userId: UserId, options?: CallOptions): Reply<T> {
    const result = await this.send({ type: 'getMetadata', integration, userId: toUserId(userId) }, options);
    return result as NangoMessageHandlerResult<T>;
  }

  /**
   * Replaces the metadata (`additionalConfig`) of one Connection or of several, all or none.
   * @throws NangoError `connection_not_found` (naming every missing user id; nothing changed), `invalid_argument`
   *   (metadata not a JSON object, empty list), `metadata_too_large` (over the worker's NANGO_MAX_METADATA_BYTES, once
   *   merged for updateMetadata; nothing changed), ...
   */
  async setMetadata(
    integration: string,
    userId: UserId | UserId[],
    metadata: Record<string, unknown>,
    options?: CallOptions,
  ): Reply<undefined> {
    const userIds = toUserIds(userId);
    return this.send({ type: 'setMetadata', integration, userIds, metadata: toMetadata(metadata) }, options);
  }

  /**
   * Merges metadata into one Connection or several, all or none: the given top-level keys replace theirs, other
   * keys stay (a nested object is replaced whole). @throws NangoError the codes of setMetadata
   */
  async updateMetadata(
    integration: string,
    userId: UserId | UserId[],
    metadata: Record<string, unknown>,
    options?: CallOptions,
  ): Reply<undefined> {
    const userIds = toUserIds(userId);
    return this.send({ type: 'updateMetadata', integration, userIds, metadata: toMetadata(metadata) }, options);
  }

  /**
   * Closes the connection and stops any reconnecting; pending calls reject with `client_closed` and the
   * process can exit: no timer is left, and a connection attempt still under way closes its socket as soon as
   * its dial returns (within connectTimeoutMs).
   */
  close(): Promise<void> {
    return this.transport.close();
  }

  private async send<M extends NangoMessage>(
    message: M,
    options: CallOptions | undefined,
  ): Reply<MessageReturnValues[M['type']]> {
    const timeoutMs = options?.timeoutMs ?? this.options.requestTimeoutMs;
    try {
      assertTimeoutMs('timeoutMs', timeoutMs);
    } catch (error) {
      throw new NangoError('invalid_argument', (error as Error).message);
    }
    const body = serialise(message);
    const limit = this.options.maxRequestBytes;
    if (body.length > limit) {
      throw new NangoError(
        'request_too_large',
        `The ${message.type} request is ${body.length} bytes, over the limit of ${limit} bytes (option maxRequestBytes); it was not sent.`,
      );
    }
    const reply = await this.transport.request(message.type, body, timeoutMs);
    const returnValue = reply.returnValue as MessageReturnValues[M['type']];
    const result: NangoMessageHandlerResult<MessageReturnValues[M['type']]> = { success: true, returnValue };
    // The worker names the operation a call made (an action run's) for the caller to look it up. Not enumerable: the
    // result keeps spec 1's `{ success, returnValue }` for code that compares, spreads or serialises it.
    if (reply.operationId) Object.defineProperty(result, 'operationId', { value: reply.operationId, enumerable: false });
    return result;
  }
}

export type { MessageType };
