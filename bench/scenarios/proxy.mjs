// The proxy: a call through /proxy against the same call sent straight to the same local server (p50 and calls/s at
// 1 and 64 in flight, the server answering at once; and one at a time with a server that takes 5 ms, as APIs do), and the worker's peak RSS while a large body (1 GiB; 200 MiB with --quick) streams through.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Nango } from '@nangohq/node-client';
import { Agent, request } from 'undici';
import { combineRuns, spread } from '../lib/stats.mjs';
import { measure } from '../lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, rssMiB, startWorker } from '../lib/processes.mjs';
import { benchStore } from '../lib/benchStore.mjs';
import server from '@nangohq/server';

const MiB = 1024 * 1024;
const PROVIDER_MS = 5;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const REPLY = JSON.stringify({ ok: true, items: Array.from({ length: 10 }, (_, i) => ({ id: i, name: `item ${i}` })) });

export async function proxyScenario({ quick, log, store: kind = 'sqlite', levels = [1, 64] }) {
  const dir = mkdtempSync(join(tmpdir(), 'nango-bench-proxy-'));
  // The proxy reads the Connection and the learned rate limit from the store on every call: on PostgreSQL a round trip.
  const store = await benchStore(kind);
  const provider = await startProvider();
  const port = await freePort();
  const queue = `bench.proxy.${randomUUID()}`;
  const yaml = join(dir, 'integrations.yaml');
  writeFileSync(
    yaml,
    `integrations:\n  api:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Api-Key: \${api_key}\n`,
  );
  const worker = await startWorker({
    NANGO_QUEUE: queue,
    NANGO_PORT: String(port),
    ...store.env,
    NANGO_INTEGRATIONS_YAML: yaml,
    NANGO_INTEGRATIONS_DIR: dir,
    // The API's own rate limit (1,000 calls a minute per key by default) would measure itself, not the proxy.
    NANGO_API_RATE_LIMIT: '1000000000',
  });
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  const agent = new Agent({ connections: 128, pipelining: 1 });
  const results = { store: kind };
  try {
    await nango.connect();
    await nango.registerConnection('api', 'u1', { api_key: 'bench-key' });
    const proxyUrl = `http://127.0.0.1:${port}/proxy/items?page=1`;
    const headers = { 'connection-id': 'u1', 'provider-config-key': 'api' };
    const call = (url, extra) => async () => {
      const { statusCode, body } = await request(url, { dispatcher: agent, headers: extra });
      await body.text();
      if (statusCode !== 200) throw new Error(`${url} answered ${statusCode}`);
    };
    const direct = call(`${provider.url}/items?page=1`, { 'x-api-key': 'bench-key' });
    const proxied = call(proxyUrl, headers);
    for (const inFlight of levels) {
      const total = quick ? 1000 : inFlight === 1 ? 5000 : 20_000;
      const options = { total, inFlight, runs: quick ? 3 : 5, warmup: Math.min(total, 1000) };
      results[`direct@${inFlight}`] = combineRuns(await measure(direct, options));
      results[`proxy@${inFlight}`] = combineRuns(await measure(proxied, options));
      log(`proxy: ${inFlight} in flight measured`);
    }
    // A provider that takes PROVIDER_MS to answer, as real APIs do (tens to hundreds of ms): the ratio a user sees.
    const slow = { total: quick ? 200 : 1000, inFlight: 1, runs: quick ? 3 : 5, warmup: 50 };
    results['directSlow@1'] = combineRuns(
      await measure(call(`${provider.url}/items?delay=${PROVIDER_MS}`, { 'x-api-key': 'bench-key' }), slow),
    );
    results['proxySlow@1'] = combineRuns(await measure(call(`${proxyUrl}&delay=${PROVIDER_MS}`, headers), slow));
    results.providerMs = PROVIDER_MS;
    log(`proxy: 1 in flight against a ${PROVIDER_MS} ms provider measured`);
    results.stream = await streamBody(
      worker,
      `http://127.0.0.1:${port}/proxy/big`,
      headers,
      agent,
      quick ? 200 * MiB : 1024 * MiB,
      quick ? 1 : 3,
    );
    log(`proxy: ${results.stream.bytes / MiB} MiB streamed`);
  } finally {
    await nango.close();
    await agent.close();
    await worker.stop();
    await provider.close();
    await deleteQueues(server.workerQueueNames(queue));
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** Downloads `bytes` through the proxy `rounds` times, sampling the worker's RSS every 50 ms. */
async function streamBody(worker, url, headers, agent, bytes, rounds) {
  const before = rssMiB(worker.child.pid);
  const peaks = [];
  const seconds = [];
  for (let round = 0; round < rounds; round++) {
    let peak = rssMiB(worker.child.pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(worker.child.pid))), 50);
    const t0 = performance.now();
    const { statusCode, body } = await request(`${url}?bytes=${bytes}`, { dispatcher: agent, headers });
    let received = 0;
    for await (const chunk of body) received += chunk.length;
    clearInterval(sampler);
    if (statusCode !== 200 || received !== bytes) throw new Error(`streamed ${received} of ${bytes} bytes (${statusCode})`);
    seconds.push((performance.now() - t0) / 1000);
    peaks.push(peak);
  }
  return { bytes, beforeMiB: before, peakMiB: spread(peaks), seconds: spread(seconds) };
}

/** The provider: a small JSON reply, or `?bytes=N` of 'x' made as they are sent. */
export async function startProvider() {
  const server = createServer((req, res) => {
    const bytes = Number(new URL(req.url, 'http://x').searchParams.get('bytes') ?? 0);
    req.resume();
    if (bytes > 0) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
      let left = bytes;
      Readable.from(
        (function* () {
          while (left > 0) {
            const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
            left -= chunk.length;
            yield chunk;
          }
        })(),
      ).pipe(res);
      return;
    }
    const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') ?? 0);
    if (delay > 0) setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(REPLY), delay);
    else res.writeHead(200, { 'content-type': 'application/json' }).end(REPLY);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
