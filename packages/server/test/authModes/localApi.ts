import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the local API received. */
export interface LocalRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a route answers: a status and a JSON body, and any headers besides its content type (a redirect's). */
export interface LocalAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A third-party API on a local port for the auth mode tests: every request is recorded, then answered by `route`
 * (which checks credentials the way the real API would, and says why it refused in `refusals`).
 */
export class LocalApi {
  readonly requests: LocalRequest[] = [];
  /** Why requests were refused, in order: a test that expects none checks this is empty. */
  readonly refusals: string[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly route: (request: LocalRequest, api: LocalApi) => Promise<LocalAnswer> | LocalAnswer) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: LocalRequest = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', this.url),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(request);
        Promise.resolve()
          .then(() => this.route(request, this))
          .catch((error: unknown): LocalAnswer => ({ status: 500, body: { error: String(error) } }))
          .then((answer) => {
            res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
            res.end(JSON.stringify(answer.body));
          });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Refuses with 401, recording why. */
  refuse(reason: string): LocalAnswer {
    this.refusals.push(reason);
    return { status: 401, body: { message: reason } };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
