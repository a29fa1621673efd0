// Summaries of repeated measurements: percentiles of one run, and median/min/max across runs.

/** The q-quantile (0..1) of numbers, by nearest rank on a sorted copy. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** { median, min, max } of one figure measured in several runs. */
export function spread(values) {
  return { median: quantile(values, 0.5), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/** Figures of one load run: latencies in milliseconds and the wall time. */
export function summariseRun(latenciesMs, elapsedMs) {
  return {
    p50: quantile(latenciesMs, 0.5),
    p99: quantile(latenciesMs, 0.99),
    perSecond: (latenciesMs.length / elapsedMs) * 1000,
  };
}

/** Turns runs of summariseRun into { p50, p99, perSecond }, each a spread. */
export function combineRuns(runs) {
  return {
    p50: spread(runs.map((r) => r.p50)),
    p99: spread(runs.map((r) => r.p99)),
    perSecond: spread(runs.map((r) => r.perSecond)),
  };
}
