/**
 * The filters of the logs routes (GET /logs/operations and /logs/tail, docs/observability.md) as the Logs page keeps
 * them: in its URL query, so a filtered list can be linked. Checked here before any request, with the same limits
 * the server applies, so a wrong value gets its message next to its field at once; the server's own 400 is mapped
 * back to the field it names.
 */
import { ApiError, type Query } from '../api';
import { fieldNamedIn } from '../checks/fieldNamedIn';
import type { OperationKind, OperationStatus } from '../types';

export const OPERATION_KINDS: readonly OperationKind[] = [
  'connect',
  'refresh',
  'revocation',
  'connection',
  'action',
  'sync',
  'proxy',
  'webhook',
  'event',
];
export const OPERATION_STATUSES: readonly OperationStatus[] = ['running', 'success', 'failed', 'cancelled', 'timed_out'];

/** Every filter, in the order the form shows them; the names are the API's query parameters. */
export const FILTER_NAMES = [
  'q',
  'status',
  'kind',
  'integration',
  'connectionId',
  'endUserId',
  'errorCode',
  'from',
  'to',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** Where the logs routes name each filter in their errors (`querystring/<name>`). */
const FILTER_PLACES: Record<string, FilterName> = Object.fromEntries(FILTER_NAMES.map((name) => [`querystring/${name}`, name]));
export type Filters = Partial<Record<FilterName, string>>;
export type FilterErrors = Partial<Record<FilterName, string>>;

/** The server's length limits (api/routes/logs/operationQuery.ts). */
const MAX_LENGTH: Record<FilterName, number> = {
  q: 500,
  status: 255,
  kind: 255,
  integration: 255,
  connectionId: 255,
  endUserId: 255,
  errorCode: 128,
  from: 64,
  to: 64,
};

/** The latest time an operation id can hold, as the server checks it (48 bits of milliseconds). */
const LATEST = 2 ** 48 - 1;
const AGE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The filters in a URL query: the known names, trimmed, empty ones left out. */
export function filtersOf(query: Record<string, string | undefined>): Filters {
  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const value = query[name]?.trim();
    if (value) filters[name] = value;
  }
  return filters;
}

/** The comma-separated list of a `kind` or `status` filter. */
export function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * A time as the form takes it, in epoch milliseconds: an age back from `now` (`30s`, `15m`, `2h`, `7d`), epoch
 * milliseconds, or an ISO 8601 date or time (`2026-01-31`, `2026-01-31 12:00`: local time unless a zone or `Z` ends it).
 * Null when it is none of these.
 */
export function timeOf(text: string, now: number): number | null {
  const value = text.trim();
  const age = /^(\d{1,9})\s*([smhd])$/i.exec(value);
  let ms: number;
  if (age) ms = now - Number(age[1]) * (AGE_UNITS[(age[2] as string).toLowerCase()] as number);
  else if (/^\d{1,15}$/.test(value)) ms = Number(value);
  // Only ISO-shaped text: Date.parse takes other shapes differently in each browser.
  else if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/i.test(value)) {
    // A date alone is local midnight, as a date and time without a zone is local (JavaScript reads it as UTC).
    ms = Date.parse(value.length === 10 ? `${value}T00:00` : value.replace(' ', 'T'));
  } else return null;
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= LATEST ? ms : null;
}

/**
 * Checks the filters as the server would, so a wrong value is told next to its field before any request.
 * Returns the problems by field (empty when there are none) and the API's query for the filters, with times
 * resolved to ISO 8601 (an age like `2h` is counted back from `now`).
 */
export function checkFilters(filters: Filters, now: number): { errors: FilterErrors; query: Query } {
  const errors: FilterErrors = {};
  const query: Query = {};
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value === undefined || value === '') continue;
    if (value.length > MAX_LENGTH[name]) errors[name] = `At most ${MAX_LENGTH[name]} characters (this one has ${value.length}).`;
    else query[name] = value;
  }
  const times: Partial<Record<'from' | 'to', number>> = {};
  for (const name of ['from', 'to'] as const) {
    const value = filters[name];
    if (!value || errors[name]) continue;
    const ms = timeOf(value, now);
    if (ms === null) {
      errors[name] =
        `'${value}' is not a time: write an age (30m, 2h, 7d), a date and time (2026-01-31 14:30) or epoch milliseconds.`;
    } else {
      times[name] = ms;
      query[name] = new Date(ms).toISOString();
    }
  }
  if (times.from !== undefined && times.to !== undefined && times.to < times.from) {
    errors.to = `'To' (${new Date(times.to).toLocaleString()}) is before 'From' (${new Date(times.from).toLocaleString()}).`;
  }
  for (const [name, allowed] of [
    ['kind', OPERATION_KINDS],
    ['status', OPERATION_STATUSES],
  ] as const) {
    const unknown = listOf(filters[name]).filter((item) => !(allowed as readonly string[]).includes(item));
    if (unknown.length > 0) errors[name] = `Unknown ${name} '${unknown[0]}': one or more of ${allowed.join(', ')}.`;
  }
  if (filters.q && !errors.q && !/[\p{L}\p{N}]/u.test(filters.q)) {
    errors.q = 'Search for words: letters or digits (punctuation only separates words).';
  }
  return { errors, query };
}

/**
 * The filter a server error is about, when it names one (`querystring/<name>` in its message, as every logs route
 * writes it), so the page can show it next to that field; null for any other error.
 */
export function filterOfError(error: unknown): FilterName | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  return fieldNamedIn(error.message, FILTER_PLACES) as FilterName | null;
}
