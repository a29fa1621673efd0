import { EventEmitter } from 'node:events';
import type { ChannelModel, ConsumeMessage, Options } from 'amqplib';
import type { AmqpConnect } from '../src/RpcTransport';

/** One publish the client made. */
export interface Published {
  exchange: string;
  routingKey: string;
  body: unknown;
  options: Options.Publish;
}

/** A step of connect() that a test can hold open, to run something (close(), an 'error') in the middle. */
export type ConnectStep = 'connect' | 'createChannel' | 'consume';

/**
 * A hand-written stand-in for an amqplib connection and channel: records publishes, delivers replies to the
 * reply consumer, returns messages as unroutable, and simulates the broker closing the connection or only the
 * channel. Any step of connecting can be held until the test releases it.
 */
export class FakeBroker {
  readonly published: Published[] = [];
  readonly connectCalls: Array<{ url: string; socketOptions: Record<string, unknown> | undefined }> = [];
  readonly channel = new EventEmitter() as EventEmitter & Record<string, unknown>;
  readonly connection = new EventEmitter() as EventEmitter & Record<string, unknown>;
  failConnect: Error | undefined;
  closed = false;
  private replyConsumer: ((msg: ConsumeMessage | null) => void) | undefined;
  private readonly gates = new Map<ConnectStep, Promise<void>>();

  constructor() {
    this.channel['publish'] = (exchange: string, routingKey: string, content: Buffer, options: Options.Publish) => {
      this.published.push({ exchange, routingKey, body: JSON.parse(content.toString()), options });
      return true;
    };
    this.channel['consume'] = async (_queue: string, onMessage: (msg: ConsumeMessage | null) => void) => {
      await this.gates.get('consume');
      this.replyConsumer = onMessage;
      return { consumerTag: 'reply-consumer' };
    };
    this.connection['createChannel'] = async () => {
      await this.gates.get('createChannel');
      return this.channel;
    };
    this.connection['close'] = async () => {
      this.closed = true;
    };
  }

  /** The function to pass to `new Nango(options, connect)`. */
  readonly connect: AmqpConnect = async (url, socketOptions) => {
    this.connectCalls.push({ url, socketOptions });
    await this.gates.get('connect');
    if (this.failConnect) throw this.failConnect;
    return this.connection as unknown as ChannelModel;
  };

  /** Makes `step` of every later connect wait until the returned function is called. */
  hold(step: ConnectStep): () => void {
    let release: () => void = () => undefined;
    this.gates.set(step, new Promise((resolve) => (release = resolve)));
    return () => release();
  }

  /** Delivers a reply for the publish at `index` (default: the latest). */
  reply(body: unknown, index = this.published.length - 1): void {
    const request = this.published[index];
    if (!request) throw new Error(`no publish at index ${index}`);
    this.deliver(request.options.correlationId, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  }

  deliver(correlationId: string | undefined, content: Buffer): void {
    this.replyConsumer?.({ content, properties: { correlationId }, fields: {} } as unknown as ConsumeMessage);
  }

  /** The broker returns the latest publish as unroutable. */
  returnLatest(): void {
    const request = this.published[this.published.length - 1];
    this.channel.emit('return', {
      content: Buffer.from(''),
      properties: { correlationId: request?.options.correlationId },
      fields: {},
    });
  }

  /** The broker drops the connection. */
  dropConnection(): void {
    this.connection.emit('error', new Error('Connection closed: 320 (CONNECTION-FORCED)'));
    this.connection.emit('close', new Error('Connection closed: 320 (CONNECTION-FORCED)'));
  }

  /** The broker closes only the channel (e.g. a channel-level error); the connection stays open. */
  closeChannel(): void {
    this.channel.emit('error', new Error('Channel closed by server: 406 (PRECONDITION-FAILED)'));
    this.channel.emit('close');
  }
}
