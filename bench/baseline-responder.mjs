// The baseline's server side: a bare amqplib consumer that answers every request on its replyTo with the same
// correlationId and a trivial reply, then acks. Same queue type (classic, durable), prefetch, noDelay and coalesced
// socket writes (coalesceWrites) as the worker, so the difference to the worker is the product's own overhead.
import amqp from 'amqplib';
import { coalesceWrites } from '@nangohq/protocol';

const [url, queue, prefetch] = [process.env.BENCH_URL, process.env.BENCH_QUEUE, Number(process.env.BENCH_PREFETCH)];
const connection = await amqp.connect(url, { noDelay: true });
coalesceWrites(connection); // as the worker does
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': process.env.BENCH_QUEUE_TYPE ?? 'classic' } });
await channel.prefetch(prefetch);
const reply = Buffer.from('{"success":true}');
await channel.consume(queue, (msg) => {
  channel.publish('', msg.properties.replyTo, reply, {
    correlationId: msg.properties.correlationId,
    contentType: 'application/json',
  });
  channel.ack(msg);
});
console.log('baseline responder ready');
process.once('SIGTERM', async () => {
  await channel.deleteQueue(queue).catch(() => undefined);
  await connection.close();
  process.exit(0);
});
