import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the wire-format comparison sees it. */
export interface CapturedRequest {
  method: string;
  path: string;
  /** Decoded query entries, in order. */
  query: Array<[string, string]>;
  /** Every header but the transport ones (see TRANSPORT_HEADERS). */
  headers: Record<string, string>;
  /** Parsed JSON when it is JSON, else the text; undefined when empty. */
  body: unknown;
  /** The raw target, for assertions on encoding. */
  rawUrl: string;
}

/**
 * Headers set by the HTTP stack rather than the SDK (axios vs the platform fetch): not part of the contract.
 * user-agent is left out too (each SDK names itself).
 */
export const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'accept-encoding',
  'accept-language',
  'sec-fetch-mode',
  'user-agent',
]);

export interface CaptureServer {
  url: string;
  requests: CapturedRequest[];
  /** The raw headers of every request, transport ones included. */
  rawHeaders: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A local HTTP server that records every request and answers `reply(request)` (JSON, status 200 by default). */
export async function startCaptureServer(
  reply: (request: CapturedRequest) => { status?: number; body?: unknown; headers?: Record<string, string> },
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const rawHeaders: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://capture');
      const text = Buffer.concat(chunks).toString();
      let body: unknown = text === '' ? undefined : text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // kept as text
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (!TRANSPORT_HEADERS.has(name) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const captured = {
        method: req.method ?? '',
        path: url.pathname,
        query: [...url.searchParams.entries()],
        headers,
        body,
        rawUrl: req.url ?? '',
      };
      requests.push(captured);
      rawHeaders.push(req.headers);
      const { status = 200, body: answer = {}, headers: answerHeaders = {} } = reply(captured);
      res.writeHead(status, { 'content-type': 'application/json', ...answerHeaders }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rawHeaders,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
