/** The shortest time between two runs of a sync for one Connection. */
export const MIN_SYNC_FREQUENCY_MS = 5 * 60 * 1000;

/** The longest: 365 days. Past it a next run time would not be a date any more (or not fit the database's BIGINT). */
export const MAX_SYNC_FREQUENCY_MS = 365 * 86_400_000;

const UNITS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/**
 * A sync frequency in milliseconds: `every 30 minutes`, `every hour`, `every 2 hours`, `every day`, or the short
 * forms of vercel/ms that spec 5 names (`30m`, `1h`, `1d`). Returns a problem instead when the text is none of
 * these, is shorter than 5 minutes or longer than 365 days.
 */
export function parseFrequency(text: string): { ms: number } | { problem: string } {
  const match = /^\s*(?:every\s+)?(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$/i.exec(text);
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    return { problem: `'${text}' is not a frequency: write e.g. 'every 30 minutes', 'every hour', 'every day' or '2h'` };
  }
  const ms = Math.round(Number(match[1] ?? '1') * unit);
  if (ms < MIN_SYNC_FREQUENCY_MS) return { problem: `'${text}' is shorter than the minimum of 5 minutes` };
  if (!(ms <= MAX_SYNC_FREQUENCY_MS)) return { problem: `'${text.slice(0, 40)}' is longer than the maximum: at most 365 days` };
  return { ms };
}
