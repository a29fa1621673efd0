import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the provider received, body read whole (unless the handler streams it itself). */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server playing a provider: records every request, answers through the current handler. */
export interface ProviderServer {
  url: string;
  seen: SeenRequest[];
  /** Answers with `handler` from now on; it gets the request with its body already read. */
  handle(handler: (request: SeenRequest, response: ServerResponse, raw: IncomingMessage) => void): void;
  close(): Promise<void>;
}

export async function startProviderServer(options: { readBody?: boolean } = {}): Promise<ProviderServer> {
  const seen: SeenRequest[] = [];
  let handler: (request: SeenRequest, response: ServerResponse, raw: IncomingMessage) => void = (_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  };
  const server: Server = createServer((raw, response) => {
    const chunks: Buffer[] = [];
    const done = () => {
      const request = {
        method: raw.method ?? '',
        url: raw.url ?? '',
        headers: raw.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(request);
      handler(request, response, raw);
    };
    if (options.readBody === false) return done();
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', done);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
