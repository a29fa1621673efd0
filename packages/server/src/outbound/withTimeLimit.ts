import { WorkerError } from '../errors';
import type { RequestLabel } from './describeRequest';
import { addressRefusal } from '../net/addressGuard';
import { failed } from './httpErrors';

/**
 * Runs `work` under a time limit and the caller's signal, and turns what goes wrong into a WorkerError named
 * by `label`.
 *
 * @throws WorkerError thrown by `work`, as it is
 * @throws the reason of `callerSignal` when the caller aborts
 * @throws WorkerError `http_request_failed` after `ms`, or for any other error of `work` (a network error)
 */
export async function withTimeLimit<T>(
  ms: number,
  callerSignal: AbortSignal | undefined,
  label: RequestLabel,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  // A timer of our own rather than AbortSignal.timeout, so it is cleared the moment the call ends.
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new DOMException('timed out', 'TimeoutError')), ms);
  try {
    return await work(callerSignal ? AbortSignal.any([timer.signal, callerSignal]) : timer.signal);
  } catch (err) {
    if (err instanceof WorkerError) throw err;
    const refused = addressRefusal(err);
    if (refused) throw refused;
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (timer.signal.aborted) throw failed(`${label.text} timed out after ${ms} ms`, err);
    throw failed(`${label.text} failed: ${label.cause(err)}`, err);
  } finally {
    clearTimeout(timeout);
  }
}
