import type * as amqp from 'amqplib';
import { connectBroker } from '../broker/connectBroker';
import { flowResultsExchange } from '../broker/queueNames';
import type { Logger } from '../logger';
import type { WsClients } from './WsClients';
import { ReconnectWait } from '../broker/ReconnectWait';

/** What one relayed message carries: the frame for the frontend's socket, and which socket. */
interface RelayedFrame {
  readonly wsClientId: string;
  readonly frame: Record<string, unknown>;
}

/** Where a flow's result went. */
export type Delivery = 'here' | 'relayed' | 'not relayed';

/**
 * Brings an OAuth (or connect) flow's result to the frontend's WebSocket whatever API process holds it. The frontend
 * opens its socket on one process and the provider's callback may reach another behind a load balancer: the process
 * that ends the flow sends the frame to the socket when it holds it, and otherwise publishes it on a fanout exchange
 * of the broker (every API process binds a queue of its own to it) so that the process holding the socket sends it.
 * The broker rather than the store: a result is wanted within milliseconds by one process, never kept, and every
 * API process is connected to the broker already; a process that holds no such socket drops the message.
 * Without a broker connection (not yet, or lost) a result whose socket is elsewhere is not relayed: the callback page
 * still reports it to the opener window, as it does for every flow.
 */
export class FlowResultRelay {
  private model: amqp.RecoveringChannelModel | undefined;
  private channel: amqp.Channel | undefined;
  private closed = false;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sockets: WsClients,
    private readonly options: { readonly rabbitmqUrl: string; readonly queue: string; readonly logger: Logger },
  ) {}

  /** Connects in the background, trying again until it succeeds; once up, the connection recovers by itself. */
  start(): void {
    this.connecting ??= this.keepTrying(0);
  }

  /** Whether the relay is bound to the exchange right now (its channel is open): for GET /health/ready. */
  get linked(): boolean {
    return this.channel !== undefined;
  }

  /** Resolves once bound to the exchange (tests wait for it). */
  async ready(): Promise<void> {
    await this.connecting;
  }

  /**
   * Sends `frame` to socket `wsClientId`: here when this process holds it, else through the other API processes.
   * Never throws: a result that cannot be delivered is reported by the callback page anyway.
   */
  deliver(wsClientId: string, frame: Record<string, unknown>): Delivery {
    if (this.sockets.send(wsClientId, frame)) return 'here';
    const channel = this.channel;
    if (!channel) return 'not relayed';
    try {
      const body: RelayedFrame = { wsClientId, frame };
      const sent = channel.publish(flowResultsExchange(this.options.queue), '', Buffer.from(JSON.stringify(body)), {
        contentType: 'application/json',
        persistent: false,
      });
      return sent ? 'relayed' : 'not relayed';
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not relay a flow result to the other API processes');
      return 'not relayed';
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.model?.close().catch(() => undefined);
    this.model = undefined;
    this.channel = undefined;
  }

  private async keepTrying(attempt: number): Promise<void> {
    const { rabbitmqUrl: url, logger } = this.options;
    while (!this.closed) {
      try {
        const model = await connectBroker({ url, name: 'flow results', retries: 0, logger, setup: this.setup });
        if (this.closed) await model.close().catch(() => undefined);
        else this.model = model;
        return;
      } catch (error) {
        if (attempt++ === 0) {
          logger.warn(
            { err: error },
            'the HTTP API cannot reach the broker yet; flow results reach only sockets on this process',
          );
        }
        await new Promise<void>((resolve) => (this.retryTimer = setTimeout(resolve, ReconnectWait.delayMs(attempt))));
      }
    }
  }

  /** Recovery setup, on every new connection: the exchange, this process's exclusive queue bound to it, its consumer. */
  private readonly setup = async (model: amqp.ChannelModel): Promise<void> => {
    const { logger, queue } = this.options;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => logger.warn({ err: error }, 'flow results channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      if (!this.closed) void model.close().catch(() => undefined); // recovery rebuilds the channel and its queue
    });
    const exchange = flowResultsExchange(queue);
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    const own = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(own.queue, exchange, '');
    await channel.consume(own.queue, (message) => message && this.onMessage(message.content), { noAck: true });
    this.channel = channel;
  };

  private onMessage(content: Buffer): void {
    let relayed: RelayedFrame;
    try {
      relayed = JSON.parse(content.toString('utf8')) as RelayedFrame;
    } catch {
      this.options.logger.warn('a relayed flow result is not JSON; dropped');
      return;
    }
    if (typeof relayed?.wsClientId !== 'string' || typeof relayed.frame !== 'object' || relayed.frame === null) return;
    this.sockets.send(relayed.wsClientId, relayed.frame); // false: not a socket of this process, as for most
  }
}
