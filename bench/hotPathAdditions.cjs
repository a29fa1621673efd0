#!/usr/bin/env node
// Per-call cost of two small additions on the hot path, in process, each against the same loop without it, interleaved:
// the HTTP API rate limiter's count (api/SharedRateLimitStore.ts incr, on an in-memory SQLite store) and the auth mode
// handler lookup of every outgoing request (authModes/handlers.ts authModeHandler). Runs on the build: node bench/hotPathAdditions.cjs
const { SqliteStore } = require('../packages/server/dist/store/sqlite/SqliteStore');
const { CredentialCipher } = require('../packages/server/dist/encryption/CredentialCipher');
const { loadKeyring, generateKey } = require('../packages/server/dist/encryption/Keyring');
const { SharedRateLimitStore } = require('../packages/server/dist/api/SharedRateLimitStore');
const { authModeHandler } = require('../packages/server/dist/authModes/handlers');
const { setImmediate: tick } = require('node:timers/promises');
(async () => {
  const cipher = new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: generateKey() }, ':memory:'));
  const store = new SqliteStore(':memory:', cipher);
  const logger = { warn() {}, info() {}, error() {}, debug() {} };
  const limiter = new SharedRateLimitStore(store.apiRateCounts, 60_000, logger);
  const noop = { incr: (key, cb) => cb(null, { current: 1, ttl: 1 }) };
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // One "request" = one incr for one of 10 keys; 1,000 per turn of the event loop, so flushes (timers) run between.
  async function block(s, ms) {
    const t0 = Date.now();
    const c0 = cpu();
    let n = 0;
    while (Date.now() - t0 < ms) {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => new Promise((r) => s.incr(`key-${i % 10}`, r))));
      n += 1000;
      await tick();
    }
    return ((cpu() - c0) * 1000) / n; // µs per call
  }
  const res = { limiter: [], noop: [] };
  for (let b = 0; b < 10; b++)
    for (const [name, s] of b % 2
      ? [
          ['limiter', limiter],
          ['noop', noop],
        ]
      : [
          ['noop', noop],
          ['limiter', limiter],
        ])
      res[name].push(await block(s, 500));
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  console.log(
    `rate limiter incr: ${med(res.limiter).toFixed(2)} µs/call, same loop without: ${med(res.noop).toFixed(2)} µs/call`,
  );
  const modes = ['API_KEY', 'OAUTH2', 'BASIC', 'NONE'].filter((m) => {
    try {
      authModeHandler(m);
      return true;
    } catch {
      return false;
    }
  });
  const N = 5e6;
  let sink = 0;
  const r2 = { lookup: [], none: [] };
  for (let b = 0; b < 6; b++) {
    let t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += authModeHandler(modes[i & 1] ?? 'API_KEY') ? 1 : 0;
    r2.lookup.push(Number(process.hrtime.bigint() - t) / N);
    t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += modes[i & 1] ? 1 : 0;
    r2.none.push(Number(process.hrtime.bigint() - t) / N);
  }
  console.log(
    `authModeHandler: ${med(r2.lookup).toFixed(1)} ns/call, loop without: ${med(r2.none).toFixed(1)} ns/call (${modes.join(',')}) ${sink > 0}`,
  );
  const fl = [];
  for (let i = 0; i < 300; i++) {
    limiter.incr('key-flush', () => {});
    const t = process.hrtime.bigint();
    await limiter.flush();
    fl.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  console.log(`flush of one key (SQLite, :memory:): ${med(fl).toFixed(1)} µs median`);
  await limiter.close?.();
  await store.close();
})();
