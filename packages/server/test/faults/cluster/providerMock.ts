/**
 * The provider the cluster harness's integrations point at, on loopback: it counts the side effects of actions
 * (`POST /hit/<id>`), answers proxy calls (`GET /ping`) and plays an issue tracker for the sync (`GET /issues`,
 * the API of examples/tracker-api.mjs, with a pause per page so a run is still going when a fault lands).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderMock {
  readonly url: string;
  /** How many times `/hit/<id>` was posted: the side effects of the action calls made with that id. */
  hits(id: string): number;
  /** Proxy calls that reached the provider. */
  readonly pings: () => number;
  /** Marks `count` issues as changed, so the next sync run saves them again (as UPDATED). */
  touch(count: number): void;
  /** The ids of every issue: what the sync's records must hold, each once. */
  issueIds(): string[];
  close(): Promise<void>;
}

/** Starts the mock on a free loopback port with `issues` issues, `pageDelayMs` per page of `/issues`. */
export async function startProviderMock(options: { issues: number; pageDelayMs: number }): Promise<ProviderMock> {
  const hits = new Map<string, number>();
  let pings = 0;
  let clock = 0;
  const issues = Array.from({ length: options.issues }, (_, n) => ({
    id: n + 1,
    title: `Issue ${n + 1}`,
    state: 'open',
    updated: ++clock,
  }));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    const send = (status: number, body: unknown, delayMs = 0) => {
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }, delayMs);
    };
    req.resume();
    if (req.method === 'POST' && url.pathname.startsWith('/hit/')) {
      const id = decodeURIComponent(url.pathname.slice('/hit/'.length));
      hits.set(id, (hits.get(id) ?? 0) + 1);
      return send(200, { counted: true });
    }
    if (req.method === 'GET' && url.pathname === '/ping') {
      pings += 1;
      return send(200, { pong: true });
    }
    if (req.method === 'GET' && url.pathname === '/issues') {
      const since = Number(url.searchParams.get('since') ?? 0);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 100);
      const changed = issues.filter((issue) => issue.updated > since).sort((a, b) => a.updated - b.updated);
      const items = changed.slice(from, from + limit);
      return send(200, { items, next: from + limit < changed.length ? String(from + limit) : null }, options.pageDelayMs);
    }
    return send(404, { error: `no route ${req.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (id) => hits.get(id) ?? 0,
    pings: () => pings,
    touch(count) {
      for (const issue of issues.slice(0, count)) issue.updated = ++clock;
    },
    issueIds: () => issues.map((issue) => String(issue.id)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
