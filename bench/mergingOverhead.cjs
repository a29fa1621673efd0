#!/usr/bin/env node
// Per-write cost a deployed sync's batchSave gains from setMergingStrategy support when the run never sets a strategy
// (syncs/MergingStrategies.ts held + wrote, both returning at once), against the save of a batch of 100 records into
// an in-memory SQLite store, interleaved A/B blocks. Runs on the build: node bench/mergingOverhead.cjs
const { SqliteStore } = require('../packages/server/dist/store/sqlite/SqliteStore');
const { CredentialCipher } = require('../packages/server/dist/encryption/CredentialCipher');
const { loadKeyring, generateKey } = require('../packages/server/dist/encryption/Keyring');
const { MergingStrategies } = require('../packages/server/dist/syncs/MergingStrategies');
(async () => {
  const cipher = new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: generateKey() }, ':memory:'));
  const store = new SqliteStore(':memory:', cipher);
  const scope = { connection: 'c', model: 'Ticket', variant: 'base' };
  const batch = (n) => Array.from({ length: 100 }, (_, i) => ({ id: `t${i}`, payload: { id: `t${i}`, title: `v${n}` } }));
  let round = 0;
  async function write(withMerging) {
    const records = batch((round += 1));
    const ids = records.map((r) => r.id);
    if (withMerging) {
      const merging = new MergingStrategies(store.records);
      const held = await merging.held(scope, ids);
      const kept = held.size === 0 ? records : records.filter((r) => !held.has(r.id));
      await store.records.save(scope, kept, { runId: 'r', encrypt: true });
      await merging.wrote(scope, ids);
    } else {
      await store.records.save(scope, records, { runId: 'r', encrypt: true });
    }
  }
  const perCall = { A: [], B: [] };
  for (let block = 0; block < 16; block += 1) {
    for (const [name, withMerging] of block % 2 === 0
      ? [
          ['A', false],
          ['B', true],
        ]
      : [
          ['B', true],
          ['A', false],
        ]) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 200; i += 1) await write(withMerging);
      perCall[name].push(Number(process.hrtime.bigint() - t0) / 1000 / 200);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const a = median(perCall.A);
  const b = median(perCall.B);
  console.log(
    `save of 100 records: without ${a.toFixed(1)} µs, with the merging checks (no strategy) ${b.toFixed(1)} µs, ${(((b - a) / a) * 100).toFixed(2)}%`,
  );
  await store.close();
})();
