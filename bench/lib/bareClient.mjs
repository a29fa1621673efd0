// The baseline's client side: bare amqplib RPC publishing like the product's client does (on a confirm channel,
// persistent, mandatory, direct reply-to, expiration; confirms not awaited; socket writes coalesced), matching
// replies by correlationId.
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { coalesceWrites } from '@nangohq/protocol';

export async function connectBareClient(url, queue) {
  const connection = await amqp.connect(url, { noDelay: true });
  coalesceWrites(connection); // as the product's client does: like with like
  const channel = await connection.createConfirmChannel();
  const pending = new Map();
  await channel.consume(
    'amq.rabbitmq.reply-to',
    (msg) => {
      const resolve = pending.get(msg.properties.correlationId);
      pending.delete(msg.properties.correlationId);
      resolve?.(msg.content);
    },
    { noAck: true },
  );
  const body = Buffer.from('{"type":"noop"}');
  return {
    call() {
      const correlationId = randomUUID();
      return new Promise((resolve) => {
        pending.set(correlationId, resolve);
        channel.publish(
          '',
          queue,
          body,
          {
            correlationId,
            replyTo: 'amq.rabbitmq.reply-to',
            contentType: 'application/json',
            persistent: true,
            mandatory: true,
            expiration: '30000',
          },
          () => undefined,
        ); // confirmed like the product's requests; the reply, not the confirm, ends the call
      });
    },
    close: () => connection.close(),
  };
}
