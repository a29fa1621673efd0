// Metadata size: what one call costs for a Connection with 200 KB of metadata against one with none, one call at a
// time (p50, and the worker's CPU time per call): the proxy, getToken and a no-op action, which never read it, and
// GET /connection, which carries it (twice: connection_config and metadata). Then a wave of 2,000 mixed calls
// (GET /connection, /proxy, POST /action/trigger, triggerAction) at 64 in flight for the large one: its time, the
// worker's CPU seconds and peak RSS, and its RSS 10 s after. 200 KB is over the default cap (NANGO_MAX_METADATA_BYTES,
// 64 KiB): the worker here takes up to 1 MiB, as a Connection stored before the cap, or under a raised one, would hold.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { Agent, request } from 'undici';
import { benchStore } from '../lib/benchStore.mjs';
import { measure, runLoad } from '../lib/load.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, rssMiB, startWorker } from '../lib/processes.mjs';
import { combineRuns } from '../lib/stats.mjs';
import server from '@nangohq/server';

const LARGE_BYTES = 200 * 1024;
const WAVE = { total: 2_000, inFlight: 64 };
const SETTLE_MS = 10_000;

export async function metadataScenario({ quick, log, store: kind = 'sqlite' }) {
  const store = await benchStore(kind);
  const provider = await startProvider();
  const queue = `bench.metadata.${randomUUID()}`;
  const port = await freePort();
  const worker = await startWorker({
    NANGO_QUEUE: queue,
    NANGO_PORT: String(port),
    ...store.env,
    NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
    NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
    BENCH_API_URL: provider.url,
    NANGO_MAX_METADATA_BYTES: String(1024 * 1024),
    // The API's own rate limit (1,000 calls a minute per key by default) would measure itself.
    NANGO_API_RATE_LIMIT: '1000000000',
  });
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  const agent = new Agent({ connections: 128 });
  const api = `http://127.0.0.1:${port}`;
  const results = { largeBytes: 0 };
  try {
    await nango.connect();
    await nango.registerConnection('bench', 'none', { api_key: 'k' });
    const metadata = metadataOf(LARGE_BYTES);
    results.largeBytes = JSON.stringify(metadata).length;
    await nango.registerConnection('bench', 'large', { api_key: 'k' }, metadata);
    const calls = callsOf(api, agent, nango);
    // Both Connections warmed up before either is measured, so neither pays for the first calls' compiling.
    const options = { total: quick ? 200 : 1000, inFlight: 1, runs: quick ? 3 : 5, warmup: 0 };
    const callsMade = options.runs * options.total;
    for (const [name, call] of Object.entries(calls)) {
      for (const userId of ['none', 'large', 'none']) await runLoad(() => call(userId), { total: 100, inFlight: 1 });
      for (const userId of ['none', 'large']) {
        // The worker's CPU time per call too: on a busy machine it tells more than latency does.
        const cpuBefore = cpuSeconds(worker.child.pid);
        const latency = combineRuns(await measure(() => call(userId), options));
        const cpuMsPerCall = ((cpuSeconds(worker.child.pid) - cpuBefore) * 1000) / callsMade;
        results[`${name}:${userId}`] = { ...latency, cpuMsPerCall };
      }
      log(`metadata: ${name} measured`);
    }
    results.wave = await wave(worker, calls);
    log(`metadata: wave of ${WAVE.total} calls in ${results.wave.seconds.toFixed(1)} s`);
  } finally {
    await nango.close();
    await agent.close();
    await worker.stop();
    await provider.close();
    await deleteQueues(server.workerQueueNames(queue));
    await store.dispose();
  }
  return results;
}

/** The calls measured, each for a user id: two that carry metadata or may (GET, an action), two that never do. */
function callsOf(api, agent, nango) {
  const http = async (url, init = {}) => {
    const { statusCode, body } = await request(url, { dispatcher: agent, ...init });
    await body.text();
    if (statusCode !== 200) throw new Error(`${url} answered ${statusCode}`);
  };
  const headers = (userId) => ({ 'connection-id': userId, 'provider-config-key': 'bench' });
  return {
    'GET /connection': (userId) => http(`${api}/connection/${userId}?provider_config_key=bench`),
    '/proxy': (userId) => http(`${api}/proxy/items`, { headers: headers(userId) }),
    getToken: (userId) => nango.getToken('bench', userId),
    'triggerAction no-op': (userId) => nango.triggerAction('bench', 'noop', userId, {}),
    'POST /action/trigger no-op': (userId) =>
      http(`${api}/action/trigger`, {
        method: 'POST',
        headers: { ...headers(userId), 'content-type': 'application/json' },
        body: JSON.stringify({ action_name: 'noop', input: {} }),
      }),
  };
}

/** 2,000 calls of four kinds in turn for the large Connection, at 64 in flight, RSS sampled every 50 ms. */
async function wave(worker, calls) {
  const kinds = ['GET /connection', '/proxy', 'POST /action/trigger no-op', 'triggerAction no-op'];
  const pid = worker.child.pid;
  const beforeMiB = rssMiB(pid);
  const cpuBefore = cpuSeconds(pid);
  let peakMiB = beforeMiB;
  const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, rssMiB(pid))), 50);
  const started = performance.now();
  const run = await runLoad((index) => calls[kinds[index % kinds.length]]('large'), WAVE);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const cpu = cpuSeconds(pid) - cpuBefore;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return { ...WAVE, seconds, cpuSeconds: cpu, p50: run.p50, p99: run.p99, beforeMiB, peakMiB, afterMiB: rssMiB(pid) };
}

/** A process's user and system CPU time, in seconds, from /proc (its sandbox threads included). */
const cpuSeconds = (pid) => cpuMs(pid) / 1000;

/** Metadata of about `bytes` as JSON, shaped like real settings: many small objects, which cost most to parse. */
function metadataOf(bytes) {
  const items = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const item = { id: `item-${i}`, name: `Item ${i}`, enabled: i % 2 === 0, weight: i * 1.5, tags: ['a', `t${i % 10}`] };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return { subdomain: 'acme', items };
}

/** The API the proxy calls: answers every call at once with a small JSON body. */
async function startProvider() {
  const provider = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  provider.keepAliveTimeout = 60_000;
  await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${provider.address().port}`,
    close: () => new Promise((resolve) => (provider.closeAllConnections(), provider.close(resolve))),
  };
}

/** A port free right now, for the worker's HTTP API. */
function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
