import * as amqp from 'amqplib';
import { redactUrl } from '@nangohq/protocol';
import type { Logger } from '../logger';

/**
 * Opens a broker connection that reconnects by itself (amqplib's recovery, with backoff and jitter) and runs
 * `setup` on every new underlying connection. Start-up gives up after `retries` attempts; once up, it retries
 * without limit. The returned model's close() ends it for good.
 * @throws Error naming the broker (password hidden) when it cannot be reached at start
 */
export async function connectBroker(options: {
  url: string;
  name: string;
  retries: number;
  logger: Logger;
  setup: (model: amqp.ChannelModel) => Promise<void>;
}): Promise<amqp.RecoveringChannelModel> {
  const { url, name, retries, logger, setup } = options;
  const connection = await amqp
    .connect(url, {
      noDelay: true, // without it Nagle's algorithm adds ~40 ms to every reply
      clientProperties: { connection_name: `nango-worker ${process.pid} ${name}` },
      recovery: { initialMaxRetries: retries, maxDelay: 5_000, setup },
    })
    .catch((error: unknown) => {
      // The hint about starting the broker helps only when it could not be reached at all.
      const unreachable = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|socket/i.test(
        String((error as Error).message),
      );
      const hint = unreachable ? ' Start it (docker compose up -d rabbitmq) or set NANGO_RABBITMQ_URL.' : '';
      throw new Error(`Could not connect to RabbitMQ at ${redactUrl(url)}: ${(error as Error).message}.${hint}`, {
        cause: error,
      });
    });
  connection.on('disconnect', (error: Error) =>
    logger.warn({ err: error, connection: name }, 'lost the broker connection; reconnecting'),
  );
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
  connection.on('error', (error: Error) => logger.warn({ err: error, connection: name }, 'broker connection error'));
  return connection;
}
