import { createHash } from 'node:crypto';
import { isErrorCode } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import { EncodedJson } from '../rpc/EncodedJson';
import type { IdempotencyScope, IdempotencyStore, StoredOutcome } from '../store/Store';

/** How often a duplicate call looks again whether the first run has finished. */
const POLL_MS = 50;

/** A keyed run: it calls `onStart` right before the action's own code runs, after every check and wait. */
export type IdempotentRun = (onStart: () => void) => Promise<EncodedJson>;

/**
 * Runs a keyed call at most once per key. The first caller claims the key for `leaseMs` and renews the lease
 * while its run is pending (it may wait for a concurrency slot or a token refresh before it starts); it keeps
 * the outcome, result or error, for `ttlMs`, and later and concurrent callers get that outcome. A run that fails
 * before it started (refresh failed, file does not load, ...) had no side effect: its claim is released, so a
 * retry with the key runs it. A key claimed by a worker that died before finishing is not run again: whether
 * its side effects happened is unknown, so the caller is told `action_outcome_unknown`.
 * @throws WorkerError with the run's or the stored error's code, `action_outcome_unknown`, `storage_error`
 */
export async function runIdempotently(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  call: string,
  limits: { leaseMs: number; ttlMs: number },
  run: IdempotentRun,
): Promise<EncodedJson> {
  for (;;) {
    const now = Date.now();
    const claim = await store.claim(scope, call, now + limits.leaseMs, now + limits.ttlMs, now);
    if (claim.kind === 'mismatch') {
      throw new WorkerError(
        'idempotency_key_reused',
        `The idempotency key '${scope.key}' was already used for another action or input of user '${scope.userId}' on integration '${scope.integration}'; use a new key for a different call.`,
      );
    }
    if (claim.kind === 'done') return replay(claim.outcome);
    if (claim.kind === 'abandoned') {
      throw new WorkerError(
        'action_outcome_unknown',
        `A call with idempotency key '${scope.key}' was started by a worker that stopped before it finished; it is not run again. Check the result in ${scope.integration} and use a new key to try again.`,
      );
    }
    if (claim.kind === 'claimed') return runAndKeep(store, scope, limits, run);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function runAndKeep(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  limits: { leaseMs: number; ttlMs: number },
  run: IdempotentRun,
): Promise<EncodedJson> {
  let started = false;
  let result: EncodedJson;
  const renewal = keepLeased(store, scope, limits.leaseMs);
  try {
    result = await run(() => {
      started = true;
    });
  } catch (error) {
    // Nothing of the action ran, so nothing happened: a retry may run it (this failure may well be transient).
    if (!started) await store.release(scope);
    // It ran, at least in part: its side effects may have happened, so its failure is the key's outcome.
    else await keep(store, scope, failureOutcome(error), limits.ttlMs);
    throw error;
  } finally {
    clearInterval(renewal);
  }
  await keep(store, scope, { ok: true, json: result.json }, limits.ttlMs);
  return result;
}

async function keep(store: IdempotencyStore, scope: IdempotencyScope, outcome: StoredOutcome, ttlMs: number): Promise<void> {
  await store.complete(scope, outcome, Date.now() + ttlMs);
}

function failureOutcome(error: unknown): StoredOutcome {
  const failure =
    error instanceof WorkerError ? error : new WorkerError('internal_error', 'The action run failed inside the worker');
  return { ok: false, code: failure.code, message: failure.message };
}

/**
 * Renews the claim's lease every third of it while the run is pending, so that a run still queued for a slot
 * is not taken for one whose worker died. Only a worker that stops renewing lets its lease lapse.
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
