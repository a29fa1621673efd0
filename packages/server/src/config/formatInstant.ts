/** The units `${now+N:unit:FMT}` may shift by. */
export const TIME_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const UNIT_MS: Readonly<Record<TimeUnit, number>> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** `instant` plus `amount` units (negative: minus). */
export function shiftInstant(instant: Date, amount: number, unit: TimeUnit): Date {
  return new Date(instant.getTime() + amount * UNIT_MS[unit]);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The tokens formatInstant reads, longest first so `MMM` is not read as `MM` and `M`. */
const TOKEN = /\[([^\]]*)\]|YYYY|SSS|MMM|ddd|MM|DD|HH|mm|ss|ZZ|Z/g;

/**
 * An instant in UTC in the catalog's format strings (day.js's tokens, as Nango's catalog writes them): `YYYY`, `MM`,
 * `MMM` (Jan), `DD`, `ddd` (Mon), `HH`, `mm`, `ss`, `SSS`, `Z` (`+00:00`), `ZZ` (`+0000`), and `[text]` for text as
 * written; anything else is kept as written (`-`, `T`, `:`, spaces). UTC, so the same instant always reads the same.
 */
export function formatInstant(instant: Date, format: string): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return format.replace(TOKEN, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY':
        return String(instant.getUTCFullYear());
      case 'SSS':
        return String(instant.getUTCMilliseconds()).padStart(3, '0');
      case 'MMM':
        return MONTHS[instant.getUTCMonth()] ?? '';
      case 'ddd':
        return DAYS[instant.getUTCDay()] ?? '';
      case 'MM':
        return two(instant.getUTCMonth() + 1);
      case 'DD':
        return two(instant.getUTCDate());
      case 'HH':
        return two(instant.getUTCHours());
      case 'mm':
        return two(instant.getUTCMinutes());
      case 'ss':
        return two(instant.getUTCSeconds());
      case 'ZZ':
        return '+0000';
      default:
        return '+00:00';
    }
  });
}
