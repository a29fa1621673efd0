import type {
  MessageReturnValues,
  MessageType,
  NangoAuthCredentials,
  NangoConnectionPublic,
  NangoMessage,
  NangoMessageHandlerResult,
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

/** A user id as the app knows it; numbers are sent (and stored) as strings. */
export type UserId = string | number;

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
   *   `request_too_large`, ...
   */
  async registerConnection(
    integration: string,
    userId: UserId,
    credentials: NangoAuthCredentials,
    additionalConfig?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<NangoMessageHandlerResult<undefined>> {
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
   * @throws NangoError `connection_not_found`, `invalid_message`, `invalid_argument` (not JSON-serialisable), ...
   */
  async updateConnectionConfig(
    integration: string,
    userId: UserId,
    additionalConfig: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<NangoMessageHandlerResult<undefined>> {
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
  ): Promise<NangoMessageHandlerResult<undefined>> {
    return this.send({ type: 'updateConnectionCredentials', integration, userId: toUserId(userId), credentials }, options);
  }

  /** All Connections of one user, without credentials; an empty array when there are none. */
  async getConnectionsForUserId(
    userId: UserId,
    options?: CallOptions,
  ): Promise<NangoMessageHandlerResult<NangoConnectionPublic[]>> {
    return this.send({ type: 'getConnectionsForUserId', userId: toUserId(userId) }, options);
  }

  /** All Connections of one integration, without credentials; an empty array when there are none. */
  async getConnectionsForIntegration(
    integration: string,
    options?: CallOptions,
  ): Promise<NangoMessageHandlerResult<NangoConnectionPublic[]>> {
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
  ): Promise<NangoMessageHandlerResult<T>> {
    const idempotencyKey = options?.idempotencyKey;
    if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey === '')) {
      const got = describeType(idempotencyKey);
      throw new NangoError('invalid_argument', `options.idempotencyKey must be a non-empty string, got ${got}`);
    }
    const result = await this.send(
      {
        type: 'triggerAction',
        integration,
        action: triggerAction,
        userId: toUserId(userId),
        input,
        ...(idempotencyKey !== undefined && { idempotencyKey }),
      },
      options,
    );
    return result as NangoMessageHandlerResult<T>;
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
  ): Promise<NangoMessageHandlerResult<MessageReturnValues[M['type']]>> {
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
    return { success: true, returnValue: reply.returnValue as MessageReturnValues[M['type']] };
  }
}

function toUserId(userId: UserId): string {
  if (typeof userId === 'number' && Number.isFinite(userId)) return String(userId);
  if (typeof userId === 'string') return userId;
  throw new NangoError('invalid_argument', `userId must be a string or a number, got ${describeType(userId)}`);
}

/** Encodes a message, naming the argument that cannot be sent as JSON. */
function serialise(message: NangoMessage): Buffer {
  try {
    return Buffer.from(JSON.stringify(message), 'utf8');
  } catch (cause) {
    for (const [field, value] of Object.entries(message)) {
      try {
        JSON.stringify(value);
      } catch (fieldCause) {
        throw new NangoError('invalid_argument', `${field} must be JSON-serialisable: ${(fieldCause as Error).message}`, {
          cause: fieldCause,
        });
      }
    }
    throw new NangoError('invalid_argument', `The ${message.type} message is not JSON-serialisable`, { cause });
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

export type { MessageType };
