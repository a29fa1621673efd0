import * as amqp from 'amqplib';
import { v4 as uuidv4 } from 'uuid';
import { DEADLINE_HEADER, isErrorCode, type MessageType, type ReplyEnvelope } from '@nangohq/protocol';
import { NangoError } from './NangoError';
import { redactUrl, type ResolvedClientOptions } from './options';

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

  private async open(): Promise<void> {
    const where = redactUrl(this.options.url);
    let connection: amqp.ChannelModel;
    try {
      connection = await this.amqpConnect(this.options.url, {
        ...this.options.socketOptions,
        noDelay: true, // without it Nagle's algorithm adds ~40 ms to every call
        timeout: this.options.connectTimeoutMs,
        clientProperties: { connection_name: 'nango-node-client' },
      });
    } catch (cause) {
      if (this.state === 'connecting') this.state = 'idle';
      throw new NangoError(
        'connection_failed',
        `Could not connect to RabbitMQ at ${where}: ${describe(cause)}. Is the broker running and the URL right?`,
        { cause },
      );
    }
    if (this.state === 'closed') {
      // close() was called while we were connecting: do not leave a socket open behind the caller's back.
      await connection.close().catch(() => undefined);
      throw closedError();
    }
    try {
      const channel = await connection.createChannel();
      channel.on('return', (msg: amqp.Message) => this.onReturn(msg));
      channel.on('error', () => undefined); // 'close' follows and is handled there
      channel.on('close', () => this.onLost('the channel was closed'));
      await channel.consume(REPLY_TO, (msg) => this.onReply(msg), { noAck: true });
      connection.on('error', () => undefined); // 'close' follows and is handled there
      connection.on('close', () => this.onLost('the connection was closed'));
      this.connection = connection;
      this.channel = channel;
      this.state = 'open';
    } catch (cause) {
      this.state = 'idle';
      await connection.close().catch(() => undefined);
      throw new NangoError('connection_failed', `Connected to ${where} but could not open a channel: ${describe(cause)}`, {
        cause,
      });
    }
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
    if (connection) await connection.close().catch(() => undefined);
  }

  private onReply(msg: amqp.ConsumeMessage | null): void {
    if (!msg) return this.onLost('the broker cancelled the reply consumer');
    const correlationId = msg.properties.correlationId as string | undefined;
    // A reply for a call that already timed out, or was never ours, is dropped on purpose: its caller
    // has been answered already, and the id is never reused, so it cannot be confused with another call.
    if (!correlationId || !this.pending.has(correlationId)) return;
    let reply: ReplyEnvelope;
    try {
      reply = JSON.parse(msg.content.toString('utf8')) as ReplyEnvelope;
    } catch {
      return this.settle(correlationId, new NangoError('internal_error', 'The worker sent a reply that is not JSON.'));
    }
    if (reply.success === true) return this.settle(correlationId, reply);
    const code = isErrorCode(reply.errorCode) ? reply.errorCode : 'internal_error';
    this.settle(correlationId, new NangoError(code, typeof reply.errorMsg === 'string' ? reply.errorMsg : 'Unknown error'));
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
    this.connection = undefined;
    this.channel = undefined;
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

function closedError(detail = 'the client was closed'): NangoError {
  return new NangoError('client_closed', `The Nango client is closed (${detail}); create a new one to send more calls.`);
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
