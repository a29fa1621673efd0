import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import {
  carriesCredentials,
  coalesceWrites,
  credentialsQueue,
  DEADLINE_HEADER,
  redactUrl,
  type MessageType,
} from '@nangohq/protocol';
import { backoffDelayMs, CancellableSleep } from './backoff';
import { startCallTrace, type CallTrace } from './callTrace';
import { NangoError } from './NangoError';
import type { ResolvedClientOptions } from './options';
import { closeQuietly, describe, toOutcome, type SuccessReply } from './replies';
import { transportErrors as errors } from './transportErrors';

/** RabbitMQ's direct reply-to pseudo-queue: replies come back on the publishing channel, no queue to declare. */
const REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * How a request the broker nacked is sent again: the wait doubles from 50 ms up to 1 s (a quorum queue electing a
 * new leader nacks for a few seconds), shortened to leave the request NACK_LAST_SEND_MS of its time once sent.
 */
const NACK_RETRY = { initialDelayMs: 50, maxDelayMs: 1_000 };
/** Less time left than this and a nacked request is not sent again: no worker could answer it in time. */
const NACK_LAST_SEND_MS = 50;

/** The amqplib entry point; tests pass a fake one. */
export type AmqpConnect = (url: string, socketOptions?: Record<string, unknown>) => Promise<amqp.ChannelModel>;

interface PendingCall {
  type: MessageType;
  body: Buffer;
  /** Epoch ms after which the caller no longer waits; travels as the deadline header and the expiration. */
  deadline: number;
  resolve: (reply: SuccessReply) => void;
  reject: (error: NangoError) => void;
  timer: NodeJS.Timeout;
  /**
   * False while the call waits for a dropped link to come back, or to be sent again after a nack; it is published as
   * soon as the link is there.
   */
  sent: boolean;
  /** Publishes of this call so far: a confirm answers the latest one only. */
  attempts: number;
  /** How many times the broker nacked it (refused to take it). */
  nacks: number;
  /** The wait before it is sent again after a nack. */
  retry: NodeJS.Timeout | undefined;
  /** Its spans, when the app has @opentelemetry/api. */
  trace: CallTrace | undefined;
}

/**
 * idle/connecting: before connect() resolved, calls are refused. open: calls are published at once.
 * reconnecting: the link dropped after it had been open; calls wait, unsent, until the reconnect loop brings it back.
 */
type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * Request/reply over one AMQP confirm channel. Each call gets a uuid correlation id and an entry in `pending`
 * holding its promise callbacks and timer; the reply with that id settles it. Every way a call can end
 * (reply, timeout, nack, unroutable return, connection loss, close) removes it from `pending`, so nothing leaks.
 * When the link drops, the calls already sent fail with `connection_lost` (their replies would come back on the
 * dead channel) and the transport reconnects with backoff until it succeeds or close() is called.
 */
export class RpcTransport {
  private state: State = 'idle';
  private connecting: Promise<void> | undefined;
  private connection: amqp.ChannelModel | undefined;
  private channel: amqp.ConfirmChannel | undefined;
  private readonly pending = new Map<string, PendingCall>();
  private readonly backoff = new CancellableSleep();
  /** Which of the broker URLs the next dial starts with: the live one, or the one after the node that dropped. */
  private urlIndex = 0;
  /** Why the last reconnect attempt failed: the most useful thing to tell a call that timed out waiting. */
  private lastReconnectError: string | undefined;

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly amqpConnect: AmqpConnect = amqp.connect,
  ) {}

  /** Whether the link is up now: connected, and not reconnecting or closed (for readiness checks). */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Number of calls waiting for a reply or for the link (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Opens the connection and the reply consumer, trying `connectRetries` more times with backoff. Resolves at
   * once while the client reconnects after a drop: calls wait for the link by themselves.
   * @throws NangoError `connection_failed` when the broker cannot be reached; `client_closed` after close().
   */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(errors.closed());
    if (this.state === 'open' || this.state === 'reconnecting') return Promise.resolve();
    if (!this.connecting) {
      this.state = 'connecting';
      this.connecting = this.connectWithRetries().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async connectWithRetries(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.open();
      } catch (error) {
        if (this.state === 'closed' || attempt > this.options.connectRetries) {
          if (this.state !== 'closed') this.state = 'idle';
          throw error;
        }
      }
      await this.backoff.sleep(backoffDelayMs(attempt, this.options.reconnect));
      this.throwIfClosed();
    }
  }

  /** Tries to get the link back until it succeeds or close() is called; calls made meanwhile wait in `pending`. */
  private async reconnect(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // Wait before the first attempt too: a link that dies as soon as it opens must not turn into a busy loop.
      await this.backoff.sleep(backoffDelayMs(attempt, this.options.reconnect));
      if (this.state !== 'reconnecting') return;
      try {
        return await this.open();
      } catch (error) {
        if (this.state !== 'reconnecting') return;
        this.lastReconnectError = describe(error);
      }
    }
  }

  /**
   * One attempt: dials the broker, opens a confirm channel and the reply consumer, makes them the live link and
   * sends the calls that waited for it. close() may run during any await here; after each one we check, so
   * that no link is adopted by a closed client and no socket outlives it.
   * @throws NangoError `connection_failed`, or `client_closed` if close() ran meanwhile.
   */
  private async open(): Promise<void> {
    const { connection, url } = await this.dial();
    coalesceWrites(connection); // one system call per pass of amqplib's writes (see coalesceWrites)
    // A link can die before it is adopted (while the consumer is being set up, say): the attempt then fails
    // instead of adopting a dead link that nothing would ever replace.
    let diedWhileOpening: string | undefined;
    // Events of a link that is no longer the live one (a late 'close' of a replaced socket) change nothing.
    const onLost = (why: string): void => {
      if (this.connection === connection) this.onLost(why);
      else diedWhileOpening ??= why;
    };
    connection.on('close', () => onLost('the connection was closed'));
    try {
      this.throwIfClosed();
      const channel = await connection.createConfirmChannel();
      this.throwIfClosed();
      channel.on('error', () => undefined); // 'close' follows and is handled there
      // Prepended: amqplib's own 'close' listener fails unconfirmed publishes with an error that looks like a
      // nack. Failing those calls with connection_lost first keeps them from reading as refused_by_broker.
      channel.prependListener('close', () => onLost('the channel was closed'));
      channel.on('return', (msg: amqp.Message) => this.onReturn(msg));
      await channel.consume(REPLY_TO, (msg) => (msg ? this.onReply(msg) : onLost('the reply consumer was cancelled')), {
        noAck: true,
      });
      this.throwIfClosed();
      if (diedWhileOpening) throw new Error(diedWhileOpening);
      this.connection = connection;
      this.channel = channel;
      this.state = 'open';
      this.lastReconnectError = undefined;
      for (const [correlationId, call] of this.pending) if (!call.sent) this.publish(channel, correlationId, call);
    } catch (cause) {
      await closeQuietly(connection);
      throw this.openFailure(cause, `Connected to ${redactUrl(url)} but could not open a channel: ${describe(cause)}`);
    }
  }

  /**
   * Opens the socket to the first broker URL that answers, starting with the current one (the first, or the one
   * after the node whose link dropped) and going round the list once.
   * @throws NangoError `connection_failed` naming every URL tried (passwords hidden) and why each failed, or
   *   `client_closed` if close() ran meanwhile.
   */
  private async dial(): Promise<{ connection: amqp.ChannelModel; url: string }> {
    const { urls } = this.options;
    const failures: Array<{ url: string; cause: unknown }> = [];
    for (let tried = 0; tried < urls.length; tried++) {
      const index = (this.urlIndex + tried) % urls.length;
      const url = urls[index] as string;
      let connection: amqp.ChannelModel;
      try {
        connection = await this.amqpConnect(url, {
          ...this.options.socketOptions,
          noDelay: true, // without it Nagle's algorithm adds ~40 ms to every call
          timeout: this.options.connectTimeoutMs,
          clientProperties: { connection_name: this.options.connectionName },
        });
      } catch (cause) {
        failures.push({ url, cause });
        this.throwIfClosed();
        continue;
      }
      // Before any other await: an 'error' emitted with no listener would be thrown as an uncaught exception
      // and crash the app. 'close' always follows it and is handled in open().
      connection.on('error', () => undefined);
      this.urlIndex = index;
      return { connection, url };
    }
    const [only] = failures;
    if (failures.length === 1 && only) {
      throw this.openFailure(
        only.cause,
        `Could not connect to RabbitMQ at ${redactUrl(only.url)}: ${describe(only.cause)}. Is the broker running and the URL right?`,
      );
    }
    const each = failures.map(({ url, cause }) => `${redactUrl(url)} (${describe(cause)})`).join('; ');
    throw this.openFailure(
      failures.at(-1)?.cause,
      `Could not connect to any of the ${failures.length} RabbitMQ nodes: ${each}. Are the brokers running and the URLs right?`,
    );
  }

  /** Aborts open() when close() ran during one of its awaits. */
  private throwIfClosed(): void {
    if (this.state === 'closed') throw errors.closed();
  }

  /** The error a failed attempt throws; close() during the attempt wins over whatever else went wrong. */
  private openFailure(cause: unknown, message: string): NangoError {
    if (this.state === 'closed') return errors.closed();
    return new NangoError('connection_failed', message, { cause });
  }

  /**
   * Publishes one request and resolves with its successful reply. While the client reconnects, the request
   * waits for the link, within the same timeout.
   * @throws NangoError with the reply's code, or `not_connected`, `client_closed`, `connection_lost`,
   *   `timeout`, `unroutable`, `refused_by_broker`.
   */
  request(type: MessageType, body: Buffer, timeoutMs: number): Promise<SuccessReply> {
    if (this.state === 'closed') return Promise.reject(errors.closed());
    if (this.state !== 'open' && this.state !== 'reconnecting') return Promise.reject(errors.notConnected(type));
    const channel = this.channel;
    const correlationId = randomUUID();
    return new Promise((resolve, reject) => {
      const call: PendingCall = {
        type,
        body,
        deadline: Date.now() + timeoutMs,
        resolve,
        reject,
        sent: false,
        attempts: 0,
        nacks: 0,
        retry: undefined,
        trace: startCallTrace(type, this.options.queue),
        timer: setTimeout(() => {
          const { queue } = this.options;
          // Refused by the broker until the end: the refusal is what the caller must hear, not a missing link.
          const refused = !call.sent && call.nacks > 0;
          const outcome = refused
            ? errors.refusedByBroker(type, queue, call.nacks)
            : errors.timeout(type, timeoutMs, queue, call.sent, this.lastReconnectError);
          this.settle(correlationId, outcome);
        }, timeoutMs),
      };
      this.pending.set(correlationId, call);
      if (this.state === 'open' && channel) this.publish(channel, correlationId, call);
    });
  }

  private publish(channel: amqp.ConfirmChannel, correlationId: string, call: PendingCall): void {
    call.sent = true;
    const attempt = ++call.attempts;
    // Credentials must never reach the broker's disk or its dead-letter queue: they go non-persistent to a queue
    // without one. Everything else is persistent, so it outlives a broker restart.
    const secret = carriesCredentials(call.type);
    const headers: Record<string, unknown> = { [DEADLINE_HEADER]: call.deadline };
    const send = () =>
      channel.publish(
        '',
        secret ? credentialsQueue(this.options.queue) : this.options.queue,
        call.body,
        {
          correlationId,
          replyTo: REPLY_TO,
          contentType: 'application/json',
          type: call.type,
          persistent: !secret,
          mandatory: true, // an unroutable request comes back as 'return' instead of vanishing
          // The broker drops the request once nobody waits for the reply. A call that waited for the link
          // has less time left than its timeout, hence the deadline rather than timeoutMs.
          expiration: String(Math.max(1, call.deadline - Date.now())),
          headers, // the deadline, and the trace context when the app traces
        },
        // The reply may come before the confirm and settle the call first; onNack then ignores this.
        (err) => {
          if (err) this.onNack(correlationId, call, attempt);
        },
      );
    try {
      if (call.trace) call.trace.publish(headers, send);
      else send();
    } catch (cause) {
      this.settle(correlationId, errors.connectionLost(call.type, `publish failed: ${describe(cause)}`, cause));
    }
  }

  /**
   * The broker nacked a publish of the call: it did not take the message (a full queue that rejects publishes, a
   * quorum queue between leaders), so no worker can have received it and sending it again is safe. It is sent again
   * after a backoff while the call's deadline leaves time for the wait, on the live link (a new one if the link
   * drops meanwhile); else the call fails with `refused_by_broker`. A nack that amqplib reports for a closing
   * channel never gets here: the channel's close fails the call with connection_lost first (see open()).
   */
  private onNack(correlationId: string, call: PendingCall, attempt: number): void {
    if (this.pending.get(correlationId) !== call || call.attempts !== attempt) return;
    call.nacks++;
    const delay = Math.min(backoffDelayMs(call.nacks, NACK_RETRY), call.deadline - Date.now() - NACK_LAST_SEND_MS);
    if (delay <= 0) {
      this.settle(correlationId, errors.refusedByBroker(call.type, this.options.queue, call.nacks));
      return;
    }
    call.sent = false;
    call.retry = setTimeout(() => {
      call.retry = undefined;
      // Sent already when a new link came up during the wait (open() sends every unsent call).
      if (this.pending.get(correlationId) !== call || call.sent || this.state !== 'open' || !this.channel) return;
      this.publish(this.channel, correlationId, call);
    }, delay);
  }

  /** Closes the connection, stops reconnecting and rejects every pending call with `client_closed`. Safe to call twice. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.backoff.cancel();
    for (const [correlationId, call] of [...this.pending]) {
      const detail = call.sent ? 'the call was still waiting for its reply' : 'the call was waiting for the link';
      this.settle(correlationId, errors.closed(detail));
    }
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    if (connection) await closeQuietly(connection);
  }

  private onReply(msg: amqp.ConsumeMessage): void {
    const correlationId = msg.properties.correlationId as string | undefined;
    // A reply for a call that already timed out, or was never ours, is dropped on purpose: its caller
    // has been answered already, and the id is never reused, so it cannot be confused with another call.
    if (!correlationId || !this.pending.has(correlationId)) return;
    this.settle(correlationId, toOutcome(msg.content));
  }

  private onReturn(msg: amqp.Message): void {
    const correlationId = msg.properties.correlationId as string | undefined;
    if (!correlationId) return;
    const type = this.pending.get(correlationId)?.type;
    const { queue } = this.options;
    this.settle(correlationId, errors.unroutable(carriesCredentials(type) ? credentialsQueue(queue) : queue));
  }

  /** The live link died: fail what was sent on it, keep what was not, and start getting it back. */
  private onLost(why: string): void {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    this.state = 'reconnecting';
    // The node that dropped the link is likely down: the reconnect starts with the next one (round the list).
    this.urlIndex = (this.urlIndex + 1) % this.options.urls.length;
    for (const [correlationId, call] of [...this.pending]) {
      if (call.sent) this.settle(correlationId, errors.connectionLost(call.type, why));
    }
    // Only after the calls are failed: closing can fail the channel's unconfirmed publishes, which would
    // otherwise read as nacks. When only the channel closed, the socket is still open and nothing else would
    // ever close it.
    if (connection) void closeQuietly(connection);
    void this.reconnect();
  }

  private settle(correlationId: string, outcome: SuccessReply | NangoError): void {
    const call = this.pending.get(correlationId);
    if (!call) return;
    this.pending.delete(correlationId);
    clearTimeout(call.timer);
    clearTimeout(call.retry);
    call.trace?.end(outcome instanceof NangoError ? outcome : undefined);
    if (outcome instanceof NangoError) call.reject(outcome);
    else call.resolve(outcome);
  }
}
