#!/usr/bin/env node
// A small issue tracker's API, for the sync example: `GET /issues?since=<n>&cursor=<c>&limit=<l>` lists the
// issues changed after change number `since`, oldest change first, `{ items, next }`, `next` being the cursor of
// the next page (null on the last); it wants the header `X-Api-Key: demo-key`. `POST /change` edits, closes or
// adds issues, to show an incremental run.
//
//   node examples/tracker-api.mjs [--port 3011] [--issues 250]
import { createServer } from 'node:http';

export function startTrackerApi({ port = 3011, issues: count = 250, host = '127.0.0.1' } = {}) {
  let clock = 0;
  const issues = Array.from({ length: count }, (_, n) => ({
    id: n + 1,
    title: `Issue ${n + 1}`,
    state: 'open',
    updated: ++clock,
  }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://tracker');
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-api-key'] !== 'demo-key') return send(401, { error: 'send X-Api-Key: demo-key' });
    if (req.method === 'GET' && url.pathname === '/issues') {
      const since = Number(url.searchParams.get('since') ?? 0);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 100);
      const changed = issues.filter((issue) => issue.updated > since).sort((a, b) => a.updated - b.updated);
      const items = changed.slice(from, from + limit);
      return send(200, { items, next: from + limit < changed.length ? String(from + limit) : null });
    }
    if (req.method === 'POST' && url.pathname === '/change') {
      // Edits the first three issues, closes the fourth, deletes the fifth and adds one.
      for (const issue of issues.slice(0, 3)) Object.assign(issue, { title: `${issue.title} (edited)`, updated: ++clock });
      Object.assign(issues[3], { state: 'closed', updated: ++clock });
      Object.assign(issues[4], { deleted: true, updated: ++clock });
      issues.push({ id: issues.length + 1, title: `Issue ${issues.length + 1}`, state: 'open', updated: ++clock });
      return send(200, { edited: 3, closed: 1, deleted: 1, added: 1 });
    }
    return send(404, { error: `no route ${req.method} ${url.pathname}` });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({ url: `http://${host}:${server.address().port}`, close: () => new Promise((done) => server.close(done)) }),
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--help')) {
    console.log(
      'Usage: node examples/tracker-api.mjs [--port 3011] [--issues 250]\nPlays an issue tracker API for the sync example.',
    );
    process.exit(0);
  }
  const value = (flag, fallback) => {
    const index = process.argv.indexOf(flag);
    return index === -1 ? fallback : Number(process.argv[index + 1]);
  };
  const api = await startTrackerApi({ port: value('--port', 3011), issues: value('--issues', 250) });
  console.log(`tracker API on ${api.url} (X-Api-Key: demo-key); Ctrl-C stops it`);
}
