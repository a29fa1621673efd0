import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook POST as the receiver got it: the raw body text and the headers, as a real receiver sees them. */
export interface Received {
  at: number;
  path: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** What the receiver answered. */
  status: number;
}

/** How the receiver answers one request. */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number };

/** A local HTTP server playing a webhook receiver; `answer` may be changed while it runs. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  answer: (request: Omit<Received, 'status'>, index: number) => Answer;
  /** Those it answered with a 2xx. */
  accepted(): Received[];
  /** Resolves once `predicate` holds for what was received (polling), or rejects after `timeoutMs`. */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on `port` (0: any free one). It answers 200 until told otherwise. */
export async function startReceiver(port = 0, answer: Receiver['answer'] = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  const delayed = new Set<NodeJS.Timeout>();
  const receiver: Receiver = {
    url: '',
    port: 0,
    received,
    answer,
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          const seen = received.map((r) => `${r.status} ${r.body.slice(0, 120)}`).join('\n');
          throw new Error(`the receiver did not get what was awaited within ${timeoutMs} ms; got:\n${seen}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { at: Date.now(), path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      const { status, headers = {}, delayMs = 0 } = receiver.answer(request, received.length);
      received.push({ ...request, status });
      const timer = setTimeout(() => {
        delayed.delete(timer);
        res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end('ok');
      }, delayMs);
      delayed.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of delayed) clearTimeout(timer); // answers never given: their sockets are closed below
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
