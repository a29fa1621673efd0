import * as amqp from 'amqplib';
import { credentialsQueue } from '@nangohq/protocol';
import { asyncActionQueue, deadLetterQueue, overflowQueue, syncQueue, providerWebhookQueue } from '../broker/queueNames';
import { BrokerTarget } from '../broker/brokerUrls';
import { cachedFor } from './cachedFor';
import type { QueueDepth } from './MetricSources';

/** How long one look at the queues is reused: a scrape every second costs the broker one look every 5 s. */
export const QUEUE_CACHE_MS = 5_000;

/** How long a look may take before it is given up (and its connection dropped): a scrape must not hang on it. */
export const QUEUE_TIMEOUT_MS = 2_000;

/** The queues of a request queue `queue`, by the role that labels them. */
export function queueRoles(queue: string): ReadonlyArray<readonly [role: string, name: string]> {
  return [
    ['requests', queue],
    ['requests_dead', deadLetterQueue(queue)],
    ['credentials', credentialsQueue(queue)],
    ['actions', overflowQueue(queue)],
    ['actions_dead', deadLetterQueue(overflowQueue(queue))],
    ['async', asyncActionQueue(queue)],
    ['syncs', syncQueue(queue)],
    ['provider_webhooks', providerWebhookQueue(queue)],
  ];
}

/**
 * Reads the depth and consumers of a worker's queues (a passive `checkQueue` each) when metrics are scraped, on a
 * broker connection of its own opened at the first scrape: the request connections stay for requests, and a look
 * that fails cannot close one of their channels. A queue that does not exist (yet) is left out. The look is cached
 * for `cacheMs` and bounded by `timeoutMs`; past that the connection is dropped and the next scrape opens another,
 * to the next broker URL of the list when there are several (a cluster's nodes).
 */
export class QueueProbe {
  private connection: Promise<amqp.ChannelModel> | undefined;
  private closed = false;
  private readonly broker: BrokerTarget;
  readonly depths: () => Promise<readonly QueueDepth[]>;

  /** `url`: one broker URL or several, comma-separated, as NANGO_RABBITMQ_URL. */
  constructor(
    url: string,
    private readonly queue: string,
    cacheMs = QUEUE_CACHE_MS,
    private readonly timeoutMs = QUEUE_TIMEOUT_MS,
  ) {
    this.broker = new BrokerTarget(url);
    this.depths = cachedFor(cacheMs, () => this.lookWithin());
  }

  /** Closes its connection; later looks fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drop();
  }

  private async lookWithin(): Promise<QueueDepth[]> {
    if (this.closed) throw new Error('the queue probe is closed');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the broker did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([this.look(), late]);
    } catch (error) {
      await this.drop(); // a connection that hung or broke is not reused
      this.broker.next();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async look(): Promise<QueueDepth[]> {
    const connection = await (this.connection ??= this.open());
    const depths: QueueDepth[] = [];
    let channel = await this.channel(connection);
    for (const [role, name] of queueRoles(this.queue)) {
      try {
        const { messageCount, consumerCount } = await channel.checkQueue(name);
        depths.push({ queue: role, messages: messageCount, consumers: consumerCount });
      } catch (error) {
        // A missing queue (404) closes the channel, not the connection: leave it out and go on on a new channel.
        if (!String((error as Error).message).includes('NOT_FOUND')) throw error;
        channel = await this.channel(connection);
      }
    }
    await channel.close().catch(() => undefined);
    return depths;
  }

  private async open(): Promise<amqp.ChannelModel> {
    const connection = await amqp.connect(this.broker.target, {
      timeout: this.timeoutMs,
      clientProperties: { connection_name: `nango-worker ${process.pid} metrics` },
    });
    connection.on('error', () => undefined); // a broken connection fails the look that meets it, and is dropped
    connection.on('close', () => {
      this.connection = undefined;
    });
    return connection;
  }

  private async channel(connection: amqp.ChannelModel): Promise<amqp.Channel> {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined); // a 404 is expected (see look); the rejected call says what happened
    return channel;
  }

  private async drop(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.then((open) => open.close()).catch(() => undefined);
  }
}
