import { isErrorCode } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import { EncodedJson } from '../rpc/EncodedJson';
import type { IdempotencyScope, IdempotencyStore, StoredOutcome } from '../store/IdempotencyStore';
import { withStorageErrors } from '../store/storageErrors';

/** How often a duplicate call looks again whether the first run has finished. */
const POLL_MS = 50;

/**
 * Runs a keyed call at most once per key. The first caller claims the key for `leaseMs` (longer than the run's
 * own time limit) and keeps the outcome, result or error, for `ttlMs`; later and concurrent callers get that
 * outcome. A key claimed by a worker that died before finishing is not run again: whether its side effects
 * happened is unknown, so the caller is told `action_outcome_unknown`.
 * @throws WorkerError with the stored error's code, `action_outcome_unknown`, `storage_error`
 */
export async function runIdempotently(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  limits: { leaseMs: number; ttlMs: number },
  run: () => Promise<EncodedJson>,
): Promise<EncodedJson> {
  for (;;) {
    const now = Date.now();
    const claim = withStorageErrors(() => store.claim(scope, now + limits.leaseMs, now + limits.ttlMs, now));
    if (claim.kind === 'done') return replay(claim.outcome);
    if (claim.kind === 'abandoned') {
      throw new WorkerError(
        'action_outcome_unknown',
        `A call with idempotency key '${scope.key}' was started by a worker that stopped before it finished; it is not run again. Check the result in ${scope.integration} and use a new key to try again.`,
      );
    }
    if (claim.kind === 'claimed') return runAndKeep(store, scope, limits.ttlMs, run);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function runAndKeep(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  ttlMs: number,
  run: () => Promise<EncodedJson>,
): Promise<EncodedJson> {
  let outcome: StoredOutcome;
  let result: EncodedJson | undefined;
  try {
    result = await run();
    outcome = { ok: true, json: result.json };
  } catch (error) {
    const failure =
      error instanceof WorkerError ? error : new WorkerError('internal_error', 'The action run failed inside the worker');
    outcome = { ok: false, code: failure.code, message: failure.message };
    withStorageErrors(() => store.complete(scope, outcome, Date.now() + ttlMs));
    throw error;
  }
  withStorageErrors(() => store.complete(scope, outcome, Date.now() + ttlMs));
  return result;
}

function replay(outcome: StoredOutcome): EncodedJson {
  if (outcome.ok) return new EncodedJson(outcome.json);
  throw new WorkerError(isErrorCode(outcome.code) ? outcome.code : 'internal_error', outcome.message);
}
