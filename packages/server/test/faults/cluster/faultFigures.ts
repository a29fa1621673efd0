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
  /** Keyed calls that failed retryably and whose retry was told `action_outcome_unknown`, their effect seen once. */
  keyedOutcomeUnknown: number;
  keyedRunTwice: number;
  /** Calls without a key whose action ran twice: allowed (at least once), counted. */
  plainRunTwice: number;
  hung: number;
  /** Seconds from the fault to the start of the last call of the window that failed; 0 when none failed. */
  failingUntilSeconds: number;
  /** From the fault until successes per second stayed at half the rate before it or more; null if never. */
  backAfterSeconds: number | null;
  webhooksLost: number;
  webhooksDuplicated: number;
  recordsLost: number;
  recordsDuplicated: number;
  /** Successes per second before the fault, and in each second from the fault to the window's end. */
  rates: { before: number; after: number[] };
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
 * The figures of one window. `hits` counts side effects by id; `retried` holds, by id, how the retry with its key
 * of each keyed call that failed retryably ended; `webhooks` counts `auth` creation webhooks by user.
 */
export function faultFigures(input: {
  window: FaultWindow;
  calls: readonly CallRecord[];
  baselineRate: number;
  hits: (id: string) => number;
  retried: ReadonlyMap<string, CallRecord>;
  registered: ReadonlyArray<{ userId: string; at: number }>;
  webhooks: (userId: string) => number;
}): FaultFigures {
  const { window, hits, retried } = input;
  const calls = input.calls.filter((call) => call.startedAt >= window.startedAt && call.startedAt < window.endedAt);
  const lostCalls = calls.filter((call) => {
    if (!call.ok && !call.retryable) return !(call.code === 'action_outcome_unknown' && hits(call.id) === 1);
    if (call.ok && HIT_KINDS.has(call.kind) && hits(call.id) === 0) return true;
    return !call.ok && call.keyed && retried.get(call.id)?.ok === false && !unknownButRan(call);
  });
  // A keyed call whose retry is told `action_outcome_unknown` (its run started, then its worker or database went
  // away before its outcome was kept) is not lost when its side effect happened exactly once; it is counted apart.
  function unknownButRan(call: CallRecord): boolean {
    return retried.get(call.id)?.code === 'action_outcome_unknown' && hits(call.id) === 1;
  }
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
    keyedOutcomeUnknown: calls.filter((call) => !call.ok && call.keyed && unknownButRan(call)).length,
    keyedRunTwice: calls.filter((call) => call.keyed && hits(call.id) > 1).length,
    plainRunTwice: calls.filter((call) => !call.keyed && HIT_KINDS.has(call.kind) && hits(call.id) > 1).length,
    hung: calls.filter((call) => call.hung).length,
    failingUntilSeconds: round(
      Math.max(0, ...calls.filter((call) => !call.ok).map((call) => call.startedAt - window.startedAt)) / 1_000,
    ),
    backAfterSeconds: backAfter(input.calls, window, input.baselineRate),
    rates: { before: round(input.baselineRate), after: buckets(input.calls, window).map(round) },
    webhooksLost: registered.filter((one) => input.webhooks(one.userId) === 0).length,
    webhooksDuplicated: registered.filter((one) => input.webhooks(one.userId) > 1).length,
    recordsLost: window.records.lost,
    recordsDuplicated: window.records.duplicated,
    outcomes,
    lostExamples: lostCalls.slice(0, 10).map((call) => {
      const retry = retried.get(call.id);
      const again = retry ? `, retried with its key: ${retry.code} after ${retry.ms} ms` : '';
      return `${call.kind} ${call.id} via ${call.door}: ${call.code} after ${call.ms} ms${again}; side effects ${hits(call.id)}`;
    }),
  };
}

/** Successes per second ending in [from, to). */
export function successRate(calls: readonly CallRecord[], from: number, to: number): number {
  const done = calls.filter((call) => call.ok && call.startedAt + call.ms >= from && call.startedAt + call.ms < to).length;
  return done / Math.max((to - from) / 1_000, 0.001);
}

/**
 * Seconds from the fault until throughput is back: 0 when no second before the fault was undone fell below half the
 * successes per second of before it; else the start of the first 3 s after such a second that average at least half
 * again. One second alone is too noisy on a loaded machine to say "back"; null when it never came back in the window.
 */
function backAfter(calls: readonly CallRecord[], window: FaultWindow, baselineRate: number): number | null {
  const rates = buckets(calls, window);
  const half = baselineRate / 2;
  const outage = Math.ceil((window.recoveredAt - window.startedAt) / 1_000);
  const dropped = rates.findIndex((rate, n) => n <= outage && rate < half);
  if (dropped === -1) return 0;
  for (let n = dropped + 1; n + 3 <= rates.length; n++) {
    if (rates.slice(n, n + 3).reduce((sum, rate) => sum + rate, 0) / 3 >= half) return n;
  }
  return null;
}

/** Successes in each second from the fault to the window's end. */
function buckets(calls: readonly CallRecord[], window: FaultWindow): number[] {
  const rates: number[] = [];
  for (let at = window.startedAt; at + 1_000 <= window.endedAt; at += 1_000) rates.push(successRate(calls, at, at + 1_000));
  return rates;
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
    'keyed: outcome unknown',
    'keyed run twice',
    'plain run twice',
    'hung',
    'failing until s',
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
    String(row.keyedOutcomeUnknown),
    String(row.keyedRunTwice),
    String(row.plainRunTwice),
    String(row.hung),
    String(row.failingUntilSeconds),
    row.backAfterSeconds === null ? 'never' : String(row.backAfterSeconds),
    `${row.webhooksLost} / ${row.webhooksDuplicated}`,
    `${row.recordsLost} / ${row.recordsDuplicated}`,
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
