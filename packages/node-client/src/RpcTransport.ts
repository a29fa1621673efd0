import * as amqp from 'amqplib';
import { v4 as uuidv4 } from 'uuid';
import { DEADLINE_HEADER, isErrorCode, redactUrl, type MessageType, type ReplyEnvelope } from '@nangohq/protocol';
import { NangoError } from './NangoError';
import type { ResolvedClientOptions } from './options';

/** RabbitMQ's direct reply-to pseudo-queue: replies come back on the publishing channel, no queue to declare. */
const REPLY_TO = 'amq.rabbitmq.reply-to';

/** The amqplib entry point; tests pass a fake one. */
export type AmqpConnect = (url: string, socketOptions?: Record<string, unknown>) => Promise<amqp.ChannelModel>;

interface PendingCall {
  resolve: (reply: ReplyEnvelope & { success: true }) => void;
  reject: (error: NangoError) => void;
  timer: NodeJS.Timeout;
}

type State = 'idle' | 'connecting' | 'open' | 'lost' | 'closed';

/**
 * Request/reply over one AMQP channel. Each call gets a uuid correlation id and an entry in `pending`
 * holding its promise callbacks and timer; the reply with that id settles it. Every way a call can end
 * (reply, timeout, unroutable return, connection loss, close) removes it from `pending`, so nothing leaks.
 */
export class RpcTransport {
  private state: State = 'idle';
  private connecting: Promise<void> | undefined;
  private connection: amqp.ChannelModel | undefined;
  private channel: amqp.Channel | undefined;
  private readonly pending = new Map<string, PendingCall>();

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly amqpConnect: AmqpConnect = amqp.connect,
  ) {}

  /** Number of calls waiting for a reply (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Opens the connection and the reply consumer.
   * @throws NangoError `connection_failed` when the broker cannot be reached; `client_closed` after close().
   */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(closedError());
    if (this.state === 'open') return Promise.resolve();
    if (!this.connecting) {
      this.state = 'connecting';
      this.connecting = this.open().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  /**
   * Dials the broker, then opens the channel and the reply consumer. close() may run during any await here;
   * after each one we check, so that connect() never resolves on a closed client and no socket outlives it.
   */
  private async open(): Promise<void> {
    const connection = await this.dial();
    try {
      this.throwIfClosed();
      const channel = await connection.createChannel();
      this.throwIfClosed();
      channel.on('return', (msg: amqp.Message) => this.onReturn(msg));
      channel.on('error', () => undefined); // 'close' follows and is handled there
      channel.on('close', () => this.onLost('the channel was closed'));
      await channel.consume(REPLY_TO, (msg) => this.onReply(msg), { noAck: true });
      this.throwIfClosed();
      connection.on('close', () => this.onLost('the connection was closed'));
      this.connection = connection;
      this.channel = channel;
      this.state = 'open';
    } catch (cause) {
      await closeQuietly(connection);
      throw this.connectFailure(
        cause,
        `Connected to ${redactUrl(this.options.url)} but could not open a channel: ${describe(cause)}`,
      );
    }
  }

  /** Opens the socket. @throws NangoError `connection_failed`, or `client_closed` if close() ran meanwhile. */
  private async dial(): Promise<amqp.ChannelModel> {
    let connection: amqp.ChannelModel;
    try {
      connection = await this.amqpConnect(this.options.url, {
        ...this.options.socketOptions,
        noDelay: true, // without it Nagle's algorithm adds ~40 ms to every call
        timeout: this.options.connectTimeoutMs,
        clientProperties: { connection_name: 'nango-node-client' },
      });
    } catch (cause) {
      const where = redactUrl(this.options.url);
      throw this.connectFailure(
        cause,
        `Could not connect to RabbitMQ at ${where}: ${describe(cause)}. Is the broker running and the URL right?`,
      );
    }
    // Before any other await: an 'error' emitted with no listener would be thrown as an uncaught exception
    // and crash the app. 'close' always follows it and is handled in onLost.
    connection.on('error', () => undefined);
    return connection;
  }

  /** Aborts open() when close() ran during one of its awaits. */
  private throwIfClosed(): void {
    if (this.state === 'closed') throw closedError();
  }

  /** The error a failed connect rejects with; close() during the attempt wins over whatever else went wrong. */
  private connectFailure(cause: unknown, message: string): NangoError {
    if (this.state === 'closed') return closedError();
    this.state = 'idle';
    return new NangoError('connection_failed', message, { cause });
  }

  /**
   * Publishes one request and resolves with its successful reply.
   * @throws NangoError with the reply's code, or `not_connected`, `client_closed`, `connection_lost`,
   *   `timeout`, `unroutable`.
   */
  request(type: MessageType, body: Buffer, timeoutMs: number): Promise<ReplyEnvelope & { success: true }> {
    const channel = this.channel;
    if (this.state === 'closed') return Promise.reject(closedError());
    if (this.state === 'lost') {
      return Promise.reject(
        new NangoError('connection_lost', 'The connection to RabbitMQ was lost; call connect() again before sending.'),
      );
    }
    if (this.state !== 'open' || !channel) {
      return Promise.reject(
        new NangoError('not_connected', `Cannot send ${type}: the client is not connected; await nango.connect() first.`),
      );
    }
    const correlationId = uuidv4();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(
          new NangoError(
            'timeout',
            `${type} got no reply within ${timeoutMs} ms. Is a worker consuming queue '${this.options.queue}'?`,
          ),
        );
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
      try {
        channel.publish('', this.options.queue, body, {
          correlationId,
          replyTo: REPLY_TO,
          contentType: 'application/json',
          type,
          persistent: true,
          mandatory: true, // an unroutable request comes back as 'return' instead of vanishing
          expiration: String(Math.ceil(timeoutMs)), // the broker drops it once nobody waits for the reply
          headers: { [DEADLINE_HEADER]: Date.now() + timeoutMs },
        });
      } catch (cause) {
        this.settle(correlationId, new NangoError('connection_lost', `Could not publish ${type}: ${describe(cause)}`, { cause }));
      }
    });
  }

  /** Closes the connection and rejects every pending call with `client_closed`. Safe to call twice. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.rejectAll(() => closedError('the call was still waiting for its reply'));
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    if (connection) await closeQuietly(connection);
  }

  private onReply(msg: amqp.ConsumeMessage | null): void {
    if (!msg) return this.onLost('the broker cancelled the reply consumer');
    const correlationId = msg.properties.correlationId as string | undefined;
    // A reply for a call that already timed out, or was never ours, is dropped on purpose: its caller
    // has been answered already, and the id is never reused, so it cannot be confused with another call.
    if (!correlationId || !this.pending.has(correlationId)) return;
    this.settle(correlationId, toOutcome(msg.content));
  }

  private onReturn(msg: amqp.Message): void {
    const correlationId = msg.properties.correlationId as string | undefined;
    if (!correlationId) return;
    this.settle(
      correlationId,
      new NangoError(
        'unroutable',
        `No queue named '${this.options.queue}' on the broker: start the worker (npm start) or check NANGO_QUEUE.`,
      ),
    );
  }

  private onLost(why: string): void {
    if (this.state !== 'open') return; // close() or a failed connect already cleaned up
    this.state = 'lost';
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    // When only the channel closed, the socket is still open and, with our reference gone, close() could no
    // longer reach it: the process would never exit. Closing an already closed connection just fails quietly.
    if (connection) void closeQuietly(connection);
    this.rejectAll(
      () => new NangoError('connection_lost', `The connection to RabbitMQ was lost (${why}) before the reply arrived.`),
    );
  }

  private settle(correlationId: string, outcome: (ReplyEnvelope & { success: true }) | NangoError): void {
    const call = this.pending.get(correlationId);
    if (!call) return;
    this.pending.delete(correlationId);
    clearTimeout(call.timer);
    if (outcome instanceof NangoError) call.reject(outcome);
    else call.resolve(outcome);
  }

  private rejectAll(makeError: () => NangoError): void {
    for (const correlationId of [...this.pending.keys()]) this.settle(correlationId, makeError());
  }
}

/**
 * Turns a reply body into what its call settles with. Anything but a JSON object is the worker's fault, and
 * must settle the call here: reading `success` off null would throw inside amqplib's delivery callback,
 * where nobody catches it, and the call would hang until its timeout.
 */
function toOutcome(content: Buffer): (ReplyEnvelope & { success: true }) | NangoError {
  let reply: unknown;
  try {
    reply = JSON.parse(content.toString('utf8'));
  } catch {
    return new NangoError('internal_error', 'The worker sent a reply that is not JSON.');
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    return new NangoError('internal_error', 'The worker sent a reply that is not a JSON object.');
  }
  const envelope = reply as ReplyEnvelope;
  if (envelope.success === true) return envelope;
  const code = isErrorCode(envelope.errorCode) ? envelope.errorCode : 'internal_error';
  return new NangoError(code, typeof envelope.errorMsg === 'string' ? envelope.errorMsg : 'Unknown error');
}

/** Closes a connection whose fate no longer matters; it may already be closed, which is not an error here. */
async function closeQuietly(connection: amqp.ChannelModel): Promise<void> {
  try {
    await connection.close();
  } catch {
    // already closed, or the socket died: either way there is nothing left to release
  }
}

function closedError(detail = 'the client was closed'): NangoError {
  return new NangoError('client_closed', `The Nango client is closed (${detail}); create a new one to send more calls.`);
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
