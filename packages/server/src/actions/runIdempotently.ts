import { createHash } from 'node:crypto';
import { ERROR_CODES, isErrorCode } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import { EncodedJson } from '../broker/EncodedJson';
import type { Claim, IdempotencyScope, IdempotencyStore, StoredOutcome } from '../store/Store';

/** How often a duplicate call looks again whether the first run has finished. */
const POLL_MS = 50;

/**
 * A keyed run: it awaits `onStart` right before the action's own code runs, after every check and wait (a slot, a
 * token refresh, the load), and lets whatever `onStart` throws through without running the action.
 */
export type IdempotentRun = (onStart: () => Promise<void>) => Promise<EncodedJson>;

/** Thrown by onStart when the key is not this run's to take: the runner passes it through, the action never runs. */
class NotClaimed extends WorkerError {
  constructor(readonly claim: Exclude<Claim, { kind: 'claimed' }>) {
    super('internal_error', `idempotency key not claimed (${claim.kind})`);
  }
}

/**
 * Runs a keyed call at most once per key. The key is claimed when the run starts, once it holds an action slot
 * (and its Connection is fresh and its file loaded), not before it waits: a worker that dies while a call waits
 * leaves nothing behind, and a retry with the key runs it. The claim holds a lease, renewed while the run lasts;
 * the outcome is kept for `ttlMs` and later and concurrent callers get it. A run that started and failed with a
 * retryable error (`action_timeout`, `http_request_failed`, ... see ERROR_CODES) is not kept: the key is freed, so
 * a retry runs the action again (its side effects may have happened; the error told the caller it may retry). A
 * key whose run started on a worker that died before finishing is not run again: whether its side effects happened
 * is unknown, so the caller is told `action_outcome_unknown`. A key used before for another action or input is
 * refused with `idempotency_key_reused`.
 * @throws WorkerError with the run's or the stored error's code, `action_outcome_unknown`, `idempotency_key_reused`,
 *   `storage_error`
 */
export async function runIdempotently(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  call: string,
  limits: { leaseMs: number; ttlMs: number; keepRetryMs?: readonly number[] },
  run: IdempotentRun,
): Promise<EncodedJson> {
  for (;;) {
    let claimed = false;
    let renewal: NodeJS.Timeout | undefined;
    const onStart = async () => {
      const now = Date.now();
      const claim = await store.claim(scope, call, now + limits.leaseMs, now + limits.ttlMs, now);
      if (claim.kind !== 'claimed') throw new NotClaimed(claim);
      claimed = true;
      renewal = keepLeased(store, scope, limits.leaseMs);
    };
    let result: EncodedJson;
    try {
      result = await run(onStart);
    } catch (error) {
      clearInterval(renewal);
      if (error instanceof NotClaimed) {
        const answer = answerFor(error.claim, scope);
        if (answer) return answer;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS)); // another run holds it: wait, then look again
        continue;
      }
      // Nothing of the action ran (the failure came before the claim), so nothing is kept.
      if (!claimed) throw error;
      // It ran, at least in part. A retryable failure is not kept: a retry with the key runs the action again.
      if (error instanceof WorkerError && ERROR_CODES[error.code].retryable) await store.release(scope);
      // Any other failure is the key's outcome: its side effects may have happened.
      else await store.complete(scope, failureOutcome(error), Date.now() + limits.ttlMs);
      throw error;
    }
    // The action succeeded: its outcome is known and must be kept, never released (a retry would run it again).
    await keepSuccess(store, scope, result, limits.ttlMs, limits.keepRetryMs ?? KEEP_RETRY_MS);
    clearInterval(renewal);
    return result;
  }
}

/** Waits before each further attempt to keep a success while the database is away (about 8 s in all): the default. */
const KEEP_RETRY_MS = [250, 500, 1_000, 2_000, 4_000];

/**
 * Stores a successful outcome, trying again while the store fails (a database restarting) with the lease still
 * renewed. Should every attempt fail, the caller still gets its result: the action did succeed. The key then stays
 * claimed until its lease runs out, and a later call with it is told `action_outcome_unknown`, not run again.
 */
async function keepSuccess(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  result: EncodedJson,
  ttlMs: number,
  retryMs: readonly number[],
): Promise<void> {
  for (const waitMs of [...retryMs, undefined]) {
    try {
      await store.complete(scope, { ok: true, json: result.json }, Date.now() + ttlMs);
      return;
    } catch {
      if (waitMs === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** The answer to a claim another run holds: its kept outcome, or an error; undefined while it runs. */
function answerFor(claim: Exclude<Claim, { kind: 'claimed' }>, scope: IdempotencyScope): EncodedJson | undefined {
  if (claim.kind === 'done') return replay(claim.outcome);
  if (claim.kind === 'mismatch') {
    throw new WorkerError(
      'idempotency_key_reused',
      `The idempotency key '${scope.key}' was already used for another action or input of user '${scope.userId}' on integration '${scope.integration}'; use a new key for a different call.`,
    );
  }
  if (claim.kind === 'abandoned') {
    throw new WorkerError(
      'action_outcome_unknown',
      `A call with idempotency key '${scope.key}' was started by a worker that stopped before it finished; it is not run again. Check the result in ${scope.integration} and use a new key to try again.`,
    );
  }
  return undefined;
}

function failureOutcome(error: unknown): StoredOutcome {
  const failure =
    error instanceof WorkerError ? error : new WorkerError('internal_error', 'The action run failed inside the worker');
  return { ok: false, code: failure.code, message: failure.message };
}

/**
 * Renews the claim's lease every third of it while the run lasts, so that a run still going is not taken for one
 * whose worker died. Only a worker that stops renewing lets its lease lapse.
 */
function keepLeased(store: IdempotencyStore, scope: IdempotencyScope, leaseMs: number): NodeJS.Timeout {
  const timer = setInterval(
    () => {
      // A busy or failing database: the lease still has two thirds left, and the next tick tries again.
      store.renew(scope, Date.now() + leaseMs).catch(() => undefined);
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  // The renewal must never keep the process alive by itself; the run's own work does that.
  timer.unref();
  return timer;
}

function replay(outcome: StoredOutcome): EncodedJson {
  if (outcome.ok) return new EncodedJson(outcome.json);
  throw new WorkerError(isErrorCode(outcome.code) ? outcome.code : 'internal_error', outcome.message);
}

/**
 * What a key is bound to: the action and its input, hashed (the input itself is not kept). JSON with sorted object
 * keys, so the same input written in another key order is the same call.
 */
export function callFingerprint(action: string, input: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([action, input ?? {}]))
    .digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
