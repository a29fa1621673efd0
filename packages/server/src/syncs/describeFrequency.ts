const UNITS: ReadonlyArray<readonly [number, string]> = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

/** A frequency in milliseconds as `every 30 minutes`, `every hour`, `every 2 days` (what parseFrequency reads back). */
export function describeFrequency(ms: number): string {
  for (const [size, unit] of UNITS) {
    if (ms % size === 0) {
      const count = ms / size;
      return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
    }
  }
  return `every ${ms / 1000} seconds`;
}
