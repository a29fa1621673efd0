import type { FastifyInstance } from 'fastify';
import { describeError } from '../../../describeError';
import type { ApiContext } from '../../ApiContext';
import { FILTER_PROPERTIES, operationFilter, type FilterQuery } from './operationQuery';
import { OperationTail, type TailOptions } from './OperationTail';
import { operationWire } from './operationWire';

/** A comment line this often keeps proxies and load balancers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

const schema = {
  querystring: { type: 'object', additionalProperties: false, properties: FILTER_PROPERTIES },
} as const;

/**
 * `GET /logs/tail?<the filters of GET /logs/operations>`: Server-Sent Events, one `operation` event (its data the
 * operation as the list gives it) when an operation matching the filters appears, and again when it ends. From
 * now on, or from `from`. It polls the store (see OperationTail), so on a cluster each API process tails what every
 * process wrote. A store failure is an `error` event; the stream goes on. Streams end when the server stops.
 */
export function registerGetLogsTail(app: FastifyInstance, context: ApiContext, options: TailOptions = {}): void {
  const open = new Set<() => Promise<void>>();
  // Fastify waits for open requests before it closes: end the streams first.
  app.addHook('preClose', async () => {
    await Promise.all([...open].map((end) => end()));
  });

  app.get<{ Querystring: FilterQuery }>('/logs/tail', { schema }, async (request, reply) => {
    const filter = operationFilter(request.query);
    reply.hijack();
    const raw = reply.raw;
    // The CORS and rate-limit headers the hooks set on the reply go out with the stream's own.
    const set = Object.entries(reply.getHeaders()).filter(
      (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
    );
    raw.writeHead(200, {
      ...Object.fromEntries(set),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
    });
    raw.write(': tailing the operations log\n\n');
    let failing = false;
    const tail = new OperationTail(
      context.store.operations,
      filter,
      (operation) => {
        failing = false;
        raw.write(`event: operation\ndata: ${JSON.stringify(operationWire(operation))}\n\n`);
      },
      (error) => {
        if (failing) return; // once per run of failures
        failing = true;
        context.logger.warn({ err: error }, 'logs tail: the store could not be read');
        const body = { code: 'storage_error', message: `The operations log could not be read: ${describeError(error)}` };
        raw.write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
      },
      options,
    );
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const end = async () => {
      if (!open.delete(end)) return;
      clearInterval(keepAlive);
      await tail.stop();
      raw.end();
    };
    open.add(end);
    raw.on('close', () => void end());
    tail.start();
  });
}
