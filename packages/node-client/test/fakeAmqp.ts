import { EventEmitter } from 'node:events';
import type { ChannelModel, ConsumeMessage, Options } from 'amqplib';
import type { AmqpConnect } from '../src/RpcTransport';

/** One publish the client made. */
export interface Published {
  exchange: string;
  routingKey: string;
  body: unknown;
  options: Options.Publish;
  /** The channel it went out on: replies and confirms come back on that channel only. */
  channel: FakeChannel;
  /** Settles the publisher confirm: null acks, an Error nacks (as amqplib reports a basic.nack). */
  confirm: (err: Error | null) => void;
}

/** A step of connecting that a test can hold open, to run something (close(), an 'error') in the middle. */
export type ConnectStep = 'connect' | 'createConfirmChannel' | 'consume';

/**
 * A stand-in for an amqplib confirm channel. Like amqplib, it registers its own 'close' listener first, which
 * fails every unconfirmed publish with Error('channel closed'), and it throws on publish once closed.
 */
export class FakeChannel extends EventEmitter {
  closed = false;
  replyConsumer: ((msg: ConsumeMessage | null) => void) | undefined;
  readonly unconfirmed = new Set<(err: Error | null) => void>();

  constructor(private readonly broker: FakeBroker) {
    super();
    this.on('close', () => {
      for (const callback of [...this.unconfirmed]) callback(new Error('channel closed'));
      this.unconfirmed.clear();
    });
  }

  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
    callback: (err: Error | null) => void,
  ) {
    if (this.closed) throw new Error('Channel closed');
    this.unconfirmed.add(callback);
    const confirm = (err: Error | null) => {
      if (this.unconfirmed.delete(callback)) callback(err);
    };
    const body: unknown = JSON.parse(content.toString());
    this.broker.published.push({ exchange, routingKey, body, options, channel: this, confirm });
    return true;
  }

  async consume(_queue: string, onMessage: (msg: ConsumeMessage | null) => void) {
    await this.broker.gate('consume');
    this.replyConsumer = onMessage;
    return { consumerTag: 'reply-consumer' };
  }

  /** The broker closes the channel (a channel-level error, say). */
  closeByBroker(): void {
    if (this.closed) return;
    this.emit('error', new Error('Channel closed by server: 406 (PRECONDITION-FAILED)'));
    this.toClosed();
  }

  /** Like amqplib: publishing fails from here on, then 'close' is emitted, once. */
  toClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

/** A stand-in for an amqplib connection (ChannelModel) with one confirm channel. */
export class FakeConnection extends EventEmitter {
  closed = false;
  channel: FakeChannel | undefined;

  constructor(private readonly broker: FakeBroker) {
    super();
  }

  async createConfirmChannel(): Promise<FakeChannel> {
    await this.broker.gate('createConfirmChannel');
    this.channel = new FakeChannel(this.broker);
    return this.channel;
  }

  /** Like amqplib: closes the channel, then emits 'close'; closing twice fails. */
  async close(): Promise<void> {
    if (this.closed) throw new Error('Connection closed (by client)');
    this.toClosed();
  }

  /** The broker drops the connection: 'error', then the channel's 'close', then the connection's 'close'. */
  dropByBroker(): void {
    if (this.closed) return;
    const error = new Error('Connection closed: 320 (CONNECTION-FORCED)');
    this.emit('error', error);
    this.toClosed(error);
  }

  private toClosed(error?: Error): void {
    this.closed = true;
    this.channel?.toClosed();
    this.emit('close', error);
  }
}

/**
 * A hand-written fake broker for the client: each connect() returns a fresh FakeConnection, so reconnects
 * can be watched. It records publishes, delivers replies and confirms on the channel a request went out on,
 * returns messages as unroutable, and drops connections or channels. Any step of connecting can be held.
 */
export class FakeBroker {
  readonly published: Published[] = [];
  readonly connectCalls: Array<{ url: string; socketOptions: Record<string, unknown> | undefined; at: number }> = [];
  readonly connections: FakeConnection[] = [];
  /** While set, every connect() fails with it. */
  failConnect: Error | undefined;
  /** URLs whose connect() fails (as a node that is down), whatever failConnect says. */
  readonly down = new Set<string>();
  private readonly gates = new Map<ConnectStep, Promise<void>>();

  /** The function to pass to `new Nango(options, connect)`. */
  readonly connect: AmqpConnect = async (url, socketOptions) => {
    this.connectCalls.push({ url, socketOptions, at: Date.now() });
    await this.gate('connect');
    if (this.failConnect) throw this.failConnect;
    if (this.down.has(url)) throw new Error('connect ECONNREFUSED');
    const connection = new FakeConnection(this);
    this.connections.push(connection);
    return connection as unknown as ChannelModel;
  };

  /** The latest connection. */
  get connection(): FakeConnection {
    const latest = this.connections[this.connections.length - 1];
    if (!latest) throw new Error('no connection was opened');
    return latest;
  }

  /** The latest connection's channel. */
  get channel(): FakeChannel {
    const channel = this.connection.channel;
    if (!channel) throw new Error('no channel was opened');
    return channel;
  }

  /** True when every connection ever opened (if any) is closed: nothing is left to keep the process alive. */
  get closed(): boolean {
    return this.connections.every((connection) => connection.closed);
  }

  /** Makes `step` of every later connect wait until the returned function is called. */
  hold(step: ConnectStep): () => void {
    let release: () => void = () => undefined;
    this.gates.set(step, new Promise((resolve) => (release = resolve)));
    return () => release();
  }

  /** @internal used by the fake connection and channel */
  gate(step: ConnectStep): Promise<void> | undefined {
    return this.gates.get(step);
  }

  /** The publish at `index` (default: the latest). */
  request(index = this.published.length - 1): Published {
    const request = this.published[index];
    if (!request) throw new Error(`no publish at index ${index}`);
    return request;
  }

  /** Delivers a reply for the publish at `index` (default: the latest), on the channel it went out on. */
  reply(body: unknown, index?: number): void {
    const request = this.request(index);
    const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    if (!request.channel.closed) deliver(request.channel, request.options.correlationId, content);
  }

  /** Delivers a raw message to the reply consumer of the latest channel. */
  deliver(correlationId: string | undefined, content: Buffer): void {
    deliver(this.channel, correlationId, content);
  }

  /** The broker nacks the publish at `index` (default: the latest). */
  nack(index?: number): void {
    this.request(index).confirm(new Error('message nacked'));
  }

  /** The broker returns the latest publish as unroutable. */
  returnLatest(): void {
    const request = this.request();
    request.channel.emit('return', {
      content: Buffer.from(''),
      properties: { correlationId: request.options.correlationId },
      fields: {},
    });
  }

  /** The broker drops the latest connection. */
  dropConnection(): void {
    this.connection.dropByBroker();
  }

  /** The broker closes only the latest channel; its connection stays open. */
  closeChannel(): void {
    this.channel.closeByBroker();
  }
}

function deliver(channel: FakeChannel, correlationId: string | undefined, content: Buffer): void {
  channel.replyConsumer?.({ content, properties: { correlationId }, fields: {} } as unknown as ConsumeMessage);
}
