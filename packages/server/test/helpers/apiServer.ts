import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake API received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 playing a third-party API: it records requests and answers with JSON. */
export interface ApiServer {
  url: string;
  requests: RecordedRequest[];
  /** Most requests it was answering at the same time. */
  peakConcurrency: number;
  close(): Promise<void>;
}

export async function startApiServer(
  respond: (request: RecordedRequest) => { status?: number; body?: unknown; delayMs?: number } = () => ({ body: { ok: true } }),
): Promise<ApiServer> {
  const requests: RecordedRequest[] = [];
  let active = 0;
  const stats = { peakConcurrency: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      const { status = 200, body = {}, delayMs = 0 } = respond(recorded);
      active++;
      stats.peakConcurrency = Math.max(stats.peakConcurrency, active);
      setTimeout(() => {
        active--;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get peakConcurrency() {
      return stats.peakConcurrency;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
