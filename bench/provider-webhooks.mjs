#!/usr/bin/env node
// What a provider webhook costs: one worker (both roles in one process, as `npm start` runs it) receives signed
// GitHub-style webhooks on POST /webhook/gh from keep-alive node:http clients, @1 and @16 in flight. Each is checked
// (HMAC-SHA256 of its bytes), queued on <queue>.webhooks with a publisher confirm and answered; the same process's
// consumer routes it to its Connection (one indexed store read) and stores a `forward` webhook, which its outbox
// delivers to a local receiver. Reports per level the answered webhooks/s and p50 latency, the server's CPU time per
// webhook (its whole handling: reception, routing, forward delivery, measured from /proc until every forward arrived),
// and the time from the first POST to the last forward received.
//   node bench/provider-webhooks.mjs [rounds]
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { runLoad } from './lib/load.mjs';
import { benchStore } from './lib/benchStore.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, startWorker } from './lib/processes.mjs';

const rounds = Number(process.argv[2] ?? '3');
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const SECRET_KEY = 'bench-secret-key';
const WEBHOOK_SECRET = 'bench-webhook-secret';

const dir = mkdtempSync(join(tmpdir(), 'nango-provider-webhooks-bench-'));
const yamlPath = join(dir, 'integrations.yaml');
writeFileSync(
  yamlPath,
  [
    'integrations:',
    '  gh:',
    '    provider: github',
    '    webhooks:',
    `      secret: ${WEBHOOK_SECRET}`,
    '      forward: true',
    '',
  ].join('\n'),
);

// The app: counts the forwards it gets.
let forwarded = 0;
const app = createHttpServer((req, res) => {
  req.resume();
  req.once('end', () => {
    forwarded++;
    res.end('ok');
  });
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));

const store = await benchStore('sqlite');
const queue = `bench.provider-webhooks.${randomUUID()}`;
const port = await freePort();
const worker = await startWorker({
  NANGO_QUEUE: queue,
  ...store.env,
  NANGO_INTEGRATIONS_YAML: yamlPath,
  NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
  NANGO_PORT: String(port),
  NANGO_SECRET_KEY: SECRET_KEY,
  NANGO_WEBHOOK_URL: `http://127.0.0.1:${app.address().port}/hooks`,
  NANGO_WEBHOOK_ON_AUTH_CREATION: 'false',
  // The API's own rate limit would measure itself, not the path.
  NANGO_API_RATE_LIMIT: '1000000000',
});
const nango = new Nango({ url: RABBITMQ_URL, queue });
await nango.connect();
await nango.registerConnection('gh', 'acme', { access_token: 'gho_bench' }, { installation_id: 4242 });

const agent = new Agent({ keepAlive: true, maxSockets: 128 });
function post(index) {
  const body = JSON.stringify({ action: 'opened', installation: { id: 4242 }, issue: { id: index, title: 'a bench issue' } });
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-github-event': 'issues',
    'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
  };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/webhook/gh', method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST /webhook/gh: ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** Waits until the app has every forward it is owed. */
async function allForwarded(expected, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (forwarded < expected) {
    if (Date.now() > until) throw new Error(`only ${forwarded} of ${expected} forwards arrived`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const levels = [
  { label: '@1', inFlight: 1, total: 300 },
  { label: '@16', inFlight: 16, total: 1_000 },
];
try {
  await runLoad(post, { total: 200, inFlight: 16 }); // warm-up
  await allForwarded(200);
  const raw = [];
  for (let round = 0; round < rounds; round++) {
    for (const level of levels) {
      const before = forwarded;
      const cpu0 = cpuMs(worker.child.pid);
      const t0 = performance.now();
      const result = await runLoad(post, level);
      await allForwarded(before + level.total);
      const endToEndMs = performance.now() - t0;
      raw.push({
        level: level.label,
        ...result,
        cpuUs: ((cpuMs(worker.child.pid) - cpu0) * 1000) / level.total,
        forwardedPerSecond: (level.total * 1000) / endToEndMs,
      });
    }
  }
  for (const { label } of levels) {
    const rows = raw.filter((row) => row.level === label);
    const of = (key) => median(rows.map((row) => row[key]));
    console.log(
      `${label}: ${of('perSecond').toFixed(0)} webhooks/s answered, p50 ${of('p50').toFixed(2)} ms, p99 ${of('p99').toFixed(2)} ms; ` +
        `${of('forwardedPerSecond').toFixed(0)} webhooks/s routed and forwarded end to end; ` +
        `server CPU per webhook (reception, routing, forward) ${of('cpuUs').toFixed(0)} µs`,
    );
  }
} finally {
  agent.destroy();
  await nango.close();
  await worker.stop();
  await deleteQueues(server.workerQueueNames(queue));
  await store.dispose();
  app.close();
  rmSync(dir, { recursive: true, force: true });
}

/** A port nothing listens on right now, for the worker's HTTP API. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
}
