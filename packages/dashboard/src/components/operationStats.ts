/**
 * `GET /logs/operations/stats`: operations counted by status in time buckets, and what the Overview makes of them
 * (one slot per hour of the day, the failure rate).
 */
import type { OperationStatus } from '../types';

export type StatusCounts = Record<OperationStatus, number>;

export interface OperationStats {
  from: string | number;
  to: string | number;
  /** Seconds per bucket. */
  bucket: number;
  buckets: Array<{ start: string | number; counts: Partial<StatusCounts> }>;
  totals: Partial<StatusCounts>;
}

/** One bar of the chart: its time span and its counts (zero when the server sent no bucket for it). */
export interface Slot {
  start: number;
  end: number;
  counts: StatusCounts;
  total: number;
}

/** Bottom to top in a bar, and the legend's order. */
export const STACK_ORDER: readonly OperationStatus[] = ['success', 'running', 'cancelled', 'timed_out', 'failed'];

export function zeroCounts(): StatusCounts {
  return { running: 0, success: 0, failed: 0, cancelled: 0, timed_out: 0 };
}

/** Every status's count, missing ones as zero. */
export function countsOf(partial: Partial<StatusCounts> | undefined): StatusCounts {
  const counts = zeroCounts();
  for (const status of STACK_ORDER) {
    const value = partial?.[status];
    if (typeof value === 'number' && Number.isFinite(value)) counts[status] = value;
  }
  return counts;
}

const msOf = (time: string | number): number => (typeof time === 'number' ? time : Date.parse(time));

/**
 * The slots from `from` to `to`, `bucketMs` each, filled from the server's buckets by their start: a bucket the
 * server left out (no operation then) is an empty slot, not a missing bar.
 */
export function slotsOf(stats: OperationStats, from: number, to: number, bucketMs: number): Slot[] {
  const slots: Slot[] = [];
  for (let start = from; start < to; start += bucketMs) {
    slots.push({ start, end: Math.min(start + bucketMs, to), counts: zeroCounts(), total: 0 });
  }
  for (const bucket of stats.buckets) {
    const index = Math.floor((msOf(bucket.start) - from) / bucketMs);
    const slot = slots[index];
    if (!slot) continue;
    const counts = countsOf(bucket.counts);
    for (const status of STACK_ORDER) slot.counts[status] += counts[status];
  }
  for (const slot of slots) slot.total = STACK_ORDER.reduce((sum, status) => sum + slot.counts[status], 0);
  return slots;
}

/** Failed or timed out, of the operations that ended (the running ones have no outcome yet); null when none ended. */
export function failureRate(totals: StatusCounts): { rate: number; failed: number; ended: number } | null {
  const failed = totals.failed + totals.timed_out;
  const ended = failed + totals.success + totals.cancelled;
  return ended === 0 ? null : { rate: failed / ended, failed, ended };
}
