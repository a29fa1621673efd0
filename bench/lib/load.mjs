// A closed-loop load generator: `inFlight` callers each send their next call as soon as the last one answers.
import { summariseRun } from './stats.mjs';

/** Sends `total` calls with `inFlight` of them outstanding at a time; returns { p50, p99, perSecond }. */
export async function runLoad(call, { total, inFlight }) {
  const latencies = new Float64Array(total);
  let next = 0;
  const started = performance.now();
  const caller = async () => {
    while (next < total) {
      const index = next++;
      const t0 = performance.now();
      await call(index);
      latencies[index] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, caller));
  return summariseRun(latencies, performance.now() - started);
}

/** Warm-up, then `runs` measured runs; returns each run's summary. */
export async function measure(call, { total, inFlight, runs, warmup }) {
  await runLoad(call, { total: warmup, inFlight });
  const results = [];
  for (let run = 0; run < runs; run++) results.push(await runLoad(call, { total, inFlight }));
  return results;
}
