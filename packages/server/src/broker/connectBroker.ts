import * as amqp from 'amqplib';
import { coalesceWrites, redactUrl } from '@nangohq/protocol';
import type { Logger } from '../logger';
import { BrokerTarget, redactBrokerUrls } from './brokerUrls';

/** How long one attempt to reach a broker node may take before the next node is tried. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * How long `setup` may take on a new connection before the attempt counts as failed (the connection is closed and
 * the next node tried). Seen on a cluster whose node had just stopped: the broker closed a connection being set up
 * (541 INTERNAL_ERROR) in a way that made amqplib throw inside its frame handler ("reply is not a function"), and
 * the setup's await never settled, so recovery, which waits for it, never tried again: the worker stopped consuming.
 */
const SETUP_TIMEOUT_MS = 20_000;

/**
 * Opens a broker connection that reconnects by itself (amqplib's recovery, with backoff and jitter) and runs
 * `setup` on every new underlying connection. `url` is one broker URL or several, comma-separated (the nodes of a
 * cluster): the first is dialled first, and every failed attempt or dropped connection moves on to the next, round
 * the list (see BrokerTarget). Start-up gives up after `retries` attempts per address; once up, it retries without
 * limit. The returned model's close() ends it for good.
 * @throws Error naming the broker(s) (passwords hidden) when none can be reached at start
 */
export async function connectBroker(options: {
  url: string;
  name: string;
  retries: number;
  logger: Logger;
  setup: (model: amqp.ChannelModel) => Promise<void>;
}): Promise<amqp.RecoveringChannelModel> {
  const { url, name, retries, logger, setup } = options;
  const target = new BrokerTarget(url);
  const addresses = target.urls.length;
  const connection = await amqp
    .connect(target.target, {
      noDelay: true, // without it Nagle's algorithm adds ~40 ms to every reply
      // A node that does not answer (a host gone, a partition) counts as down after this, and the next is tried.
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: `nango-worker ${process.pid} ${name}` },
      recovery: {
        // Each address gets `retries + 1` tries at start (the first try of each is not a retry).
        initialMaxRetries: (retries + 1) * addresses - 1,
        maxDelay: 5_000,
        setup: (model: amqp.ChannelModel) => {
          coalesceWrites(model); // one system call per pass of amqplib's writes (see coalesceWrites)
          return withinTime(setup(model), SETUP_TIMEOUT_MS, `setting up the ${name} connection`);
        },
        // Listeners must be on before the first attempt, so that a refused first address moves on to the next.
        waitForConnect: false,
      },
    })
    .then((model) => {
      // amqplib emits these before it schedules the next attempt, which then dials the next address.
      model.on('connect-failed', () => target.next());
      model.on('disconnect', () => target.next());
      model.on('error', (error: Error) => logger.warn({ err: error, connection: name }, 'broker connection error'));
      return model.waitForConnect();
    })
    .catch((error: unknown) => {
      // The hint about starting the broker helps only when it could not be reached at all.
      const unreachable = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|socket/i.test(
        String((error as Error).message),
      );
      const hint = unreachable ? ' Start it (docker compose up -d rabbitmq) or set NANGO_RABBITMQ_URL.' : '';
      throw new Error(`Could not connect to RabbitMQ at ${redactBrokerUrls(url)}: ${(error as Error).message}.${hint}`, {
        cause: error,
      });
    });
  connection.on('disconnect', (error: Error) =>
    logger.warn({ err: error, connection: name, next: redactUrl(target.current) }, 'lost the broker connection; reconnecting'),
  );
  connection.on('connect', () => {
    if (addresses > 1) logger.info({ connection: name, broker: redactUrl(target.current) }, 'connected to the broker');
  });
  let lastFailureLog = 0;
  connection.on('connect-failed', (error: Error) => {
    // A setup that keeps failing (a queue redeclared with other arguments, a permission removed) would otherwise
    // loop in silence; once a minute is enough to be seen without flooding the log.
    if (Date.now() - lastFailureLog < 60_000) return;
    lastFailureLog = Date.now();
    logger.error({ err: error, connection: name }, 'could not reconnect to the broker; retrying');
  });
  connection.on('reconnect-failed', (error: Error) =>
    logger.error({ err: error, connection: name }, 'gave up reconnecting to the broker'),
  );
  return connection;
}

/** `work`, or a rejection once `ms` have passed (the work itself is not stopped: its connection is closed). */
async function withinTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
