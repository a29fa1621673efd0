#!/usr/bin/env node
// What an MCP tool call costs over POST /action/trigger: one worker (both roles in one process, as `npm start` runs
// it), the no-op action declared with an input schema so that it is a tool, called both ways from keep-alive
// node:http clients, interleaved in short blocks (A then B, then B then A) so whatever else the machine does hits
// both alike. A: POST /action/trigger. B: POST /mcp with one JSON-RPC `tools/call` (stateless: no initialize
// needed, as any request of a stateless server stands alone). Reports per level each side's median over blocks and
// the median of B's figure over A's, and the server's CPU time per call (from /proc: what a busy machine's latency
// figures cannot show).
//   node bench/mcp-ab.mjs [blocks]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { runLoad } from './lib/load.mjs';
import { benchStore } from './lib/benchStore.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, startWorker } from './lib/processes.mjs';

const blocks = Number(process.argv[2] ?? '12');
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const SECRET_KEY = 'bench-secret-key';

const dir = mkdtempSync(join(tmpdir(), 'nango-mcp-bench-'));
const yamlPath = join(dir, 'integrations.yaml');
// bench/integrations' no-op, with an input schema: a tool. Both sides run it, so both pay its (tiny) validation.
writeFileSync(
  yamlPath,
  [
    'integrations:',
    '  bench:',
    '    auth_mode: API_KEY',
    '    base_url: http://127.0.0.1:9',
    '    headers:',
    '      X-Key: ${api_key}',
    '    actions:',
    '      noop:',
    '        input: { type: object }',
    '',
  ].join('\n'),
);
const store = await benchStore('sqlite');
const queue = `bench.mcp-ab.${randomUUID()}`;
const port = await freePort();
const worker = await startWorker({
  NANGO_QUEUE: queue,
  ...store.env,
  NANGO_INTEGRATIONS_YAML: yamlPath,
  NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
  NANGO_PORT: String(port),
  NANGO_SECRET_KEY: SECRET_KEY,
  // The API's own rate limit would measure itself, not the path.
  NANGO_API_RATE_LIMIT: '1000000000',
});
const nango = new Nango({ url: RABBITMQ_URL, queue });
await nango.connect();
await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });

const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const common = {
  'content-type': 'application/json',
  authorization: `Bearer ${SECRET_KEY}`,
  'connection-id': 'u1',
  'provider-config-key': 'bench',
};
function post(path, body, headers, check) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        agent,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.once('end', () =>
          check(res.statusCode, text) ? resolve() : reject(new Error(`${path}: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
const triggerBody = JSON.stringify({ action_name: 'noop', input: {} });
const toolBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'noop', arguments: {} } });
const mcpHeaders = { ...common, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };
const sides = [
  { name: 'A', calls: () => post('/action/trigger', triggerBody, common, (status) => status === 200) },
  {
    name: 'B',
    calls: () => post('/mcp', toolBody, mcpHeaders, (status, text) => status === 200 && !text.includes('"isError":true')),
  },
];
const levels = [
  { label: '@1', inFlight: 1, total: 300 },
  { label: '@16', inFlight: 16, total: 1_500 },
];
try {
  for (const side of sides) await runLoad(side.calls, { total: 500, inFlight: 16 }); // warm-up
  const raw = [];
  for (let block = 0; block < blocks; block++) {
    for (const level of levels) {
      const order = block % 2 === 0 ? sides : [...sides].reverse();
      const result = {};
      for (const side of order) {
        const cpu0 = cpuMs(worker.child.pid);
        result[side.name] = await runLoad(side.calls, level);
        result[side.name].cpuUs = ((cpuMs(worker.child.pid) - cpu0) * 1000) / level.total;
      }
      raw.push({ block, level: level.label, A: result.A, B: result.B });
    }
  }
  for (const { label } of levels) {
    const rows = raw.filter((x) => x.level === label);
    const of = (side, key) => median(rows.map((x) => x[side][key]));
    const ratio = (key) => rows.map((x) => x.B[key] / x.A[key]);
    const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
    console.log(
      `${label}: POST /action/trigger ${of('A', 'perSecond').toFixed(0)} calls/s, p50 ${of('A', 'p50').toFixed(3)} ms; ` +
        `MCP tools/call ${of('B', 'perSecond').toFixed(0)} calls/s, p50 ${of('B', 'p50').toFixed(3)} ms; ` +
        `B/A p50 ${median(ratio('p50')).toFixed(3)} (${range(ratio('p50'))}), calls/s ${median(ratio('perSecond')).toFixed(3)} (${range(ratio('perSecond'))}); ` +
        `server CPU per call: A ${of('A', 'cpuUs').toFixed(0)} µs, B ${of('B', 'cpuUs').toFixed(0)} µs, B/A ${median(ratio('cpuUs')).toFixed(3)} (${range(ratio('cpuUs'))})`,
    );
  }
} finally {
  agent.destroy();
  await nango.close();
  await worker.stop();
  await deleteQueues(server.workerQueueNames(queue));
  await store.dispose();
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
