/**
 * What one fault did to the callers, counted from the recorded calls, the provider's count of side effects and
 * the webhooks the receiver got. A call belongs to the fault whose window (from the fault to the next one) it
 * started in.
 */
import type { CallKind, CallRecord } from './mixedLoad';

/** Kinds whose action posts `/hit/<id>` once per run. */
const HIT_KINDS: ReadonlySet<CallKind> = new Set(['rpc-keyed', 'rpc-plain', 'http-keyed', 'http-plain', 'async']);

export interface FaultFigures {
  fault: string;
  /** Seconds the fault and its undoing took (stop to started again, kill to ready, cut to healed). */
  faultSeconds: number;
  calls: number;
  succeeded: number;
  failedRetryably: number;
  /** Failed without a retryable error, succeeded without their side effect, or keyed and not answered on a retry. */
  lost: number;
  keyedRunTwice: number;
  /** Calls without a key whose action ran twice: allowed (at least once), counted. */
  plainRunTwice: number;
  hung: number;
  /** From the fault until successes per second stayed at half the rate before it or more; null if never. */
  backAfterSeconds: number | null;
  webhooksLost: number;
  webhooksDuplicated: number;
  recordsLost: number;
  recordsDuplicated: number;
  /** How the calls ended, with counts: `ok`, or the kind, door and error code of the failures. */
  outcomes: Record<string, number>;
  /** Up to 10 lost calls, to say what went wrong. */
  lostExamples: string[];
}

export interface FaultWindow {
  fault: string;
  startedAt: number;
  /** When the fault was undone and every process ready again. */
  recoveredAt: number;
  endedAt: number;
  records: { lost: number; duplicated: number };
}

/**
 * The figures of one window. `hits` counts side effects by id; `retried` holds the ids of keyed calls that failed
 * retryably and whether their retry with the key got a result; `webhooks` counts `auth` creation webhooks by user.
 */
export function faultFigures(input: {
  window: FaultWindow;
  calls: readonly CallRecord[];
  baselineRate: number;
  hits: (id: string) => number;
  retried: ReadonlyMap<string, boolean>;
  registered: ReadonlyArray<{ userId: string; at: number }>;
  webhooks: (userId: string) => number;
}): FaultFigures {
  const { window, hits, retried } = input;
  const calls = input.calls.filter((call) => call.startedAt >= window.startedAt && call.startedAt < window.endedAt);
  const lostCalls = calls.filter((call) => {
    if (!call.ok && !call.retryable) return !(call.code === 'action_outcome_unknown' && hits(call.id) === 1);
    if (call.ok && HIT_KINDS.has(call.kind) && hits(call.id) === 0) return true;
    return !call.ok && call.keyed && retried.get(call.id) === false;
  });
  const registered = input.registered.filter((one) => one.at >= window.startedAt && one.at < window.endedAt);
  const outcomes: Record<string, number> = {};
  for (const call of calls) {
    const key = call.ok ? 'ok' : `${call.kind} via ${call.door}: ${call.code}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return {
    fault: window.fault,
    faultSeconds: round((window.recoveredAt - window.startedAt) / 1_000),
    calls: calls.length,
    succeeded: calls.filter((call) => call.ok).length,
    failedRetryably: calls.filter((call) => !call.ok && call.retryable).length,
    lost: lostCalls.length,
    keyedRunTwice: calls.filter((call) => call.keyed && hits(call.id) > 1).length,
    plainRunTwice: calls.filter((call) => !call.keyed && HIT_KINDS.has(call.kind) && hits(call.id) > 1).length,
    hung: calls.filter((call) => call.hung).length,
    backAfterSeconds: backAfter(input.calls, window, input.baselineRate),
    webhooksLost: registered.filter((one) => input.webhooks(one.userId) === 0).length,
    webhooksDuplicated: registered.filter((one) => input.webhooks(one.userId) > 1).length,
    recordsLost: window.records.lost,
    recordsDuplicated: window.records.duplicated,
    outcomes,
    lostExamples: lostCalls
      .slice(0, 10)
      .map((call) => `${call.kind} ${call.id} via ${call.door}: ${call.code} after ${call.ms} ms`),
  };
}

/** Successes per second ending in [from, to). */
export function successRate(calls: readonly CallRecord[], from: number, to: number): number {
  const done = calls.filter((call) => call.ok && call.startedAt + call.ms >= from && call.startedAt + call.ms < to).length;
  return done / Math.max((to - from) / 1_000, 0.001);
}

/**
 * Seconds from the fault to the start of the first one-second bucket from which every bucket to the window's end
 * has at least half the successes per second of before the fault.
 */
function backAfter(calls: readonly CallRecord[], window: FaultWindow, baselineRate: number): number | null {
  const buckets: number[] = [];
  for (let at = window.startedAt; at + 1_000 <= window.endedAt; at += 1_000) buckets.push(successRate(calls, at, at + 1_000));
  let back: number | null = null;
  for (let n = buckets.length - 1; n >= 0; n--) {
    if ((buckets[n] ?? 0) < baselineRate / 2) break;
    back = n;
  }
  return back;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The figures as a Markdown table, one row per fault. */
export function figuresTable(rows: readonly FaultFigures[]): string {
  const header = [
    'fault',
    'fault s',
    'calls',
    'ok',
    'failed retryably',
    'lost',
    'keyed run twice',
    'plain run twice',
    'hung',
    'back after s',
    'webhooks lost / dup',
    'records lost / dup',
  ];
  const lines = rows.map((row) => [
    row.fault,
    String(row.faultSeconds),
    String(row.calls),
    String(row.succeeded),
    String(row.failedRetryably),
    String(row.lost),
    String(row.keyedRunTwice),
    String(row.plainRunTwice),
    String(row.hung),
    row.backAfterSeconds === null ? 'never' : String(row.backAfterSeconds),
    `${row.webhooksLost} / ${row.webhooksDuplicated}`,
    `${row.recordsLost} / ${row.recordsDuplicated}`,
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
