import type { StoredOutcome } from './StoredOutcome';

/** What an async action runs: kept sealed in its row until it ends. */
export interface AsyncActionCall {
  /** A UUID, the `id` of `/action/<id>`. */
  readonly id: string;
  readonly integration: string;
  readonly userId: string;
  readonly action: string;
  readonly input: Record<string, unknown>;
  /** The caller's Idempotency-Key: the run goes through the idempotency store like a triggerAction with one. */
  readonly idempotencyKey?: string | undefined;
  /** Runs after the first one that may follow a retryable failure (X-Max-Retries, 0 to 5). */
  readonly maxRetries: number;
}

/** A claimed async action: its call and how many runs were started so far, this one included. */
export interface ClaimedAsyncAction extends AsyncActionCall {
  readonly attempts: number;
}

/** Where an async action stands, as GET /action/:id sees it. */
export type AsyncActionStatus =
  | { state: 'queued' | 'running'; integration: string; userId: string }
  | { state: 'done' | 'failed'; integration: string; userId: string; outcome: StoredOutcome };

/**
 * Async actions (POST /action/trigger with X-Async: true): queued, run, retried and their outcome kept until it
 * expires, in the `async_actions` table; input and outcome sealed with the credential cipher, bound to the row's id.
 * SQLite and PostgreSQL implement it alike. A row goes queued → running (claimed with a lease, which its worker
 * renews) → done or failed; a running row whose lease lapsed (its worker died) may be claimed again.
 */
export interface AsyncActionStore {
  /** Stores a new call as `queued`; it is forgotten at `expiresAt` if it never ends. */
  create(call: AsyncActionCall, now: number, expiresAt: number): Promise<void>;
  /**
   * Takes the row for a run until `leaseUntil` if it is queued, or running with its lease lapsed, and counts the
   * attempt; undefined when another worker holds it, it has ended, or it does not exist.
   */
  claim(id: string, now: number, leaseUntil: number): Promise<ClaimedAsyncAction | undefined>;
  /** Extends the lease of a running row; false when the row is not running any more. */
  renew(id: string, leaseUntil: number): Promise<boolean>;
  /** Gives a claimed row back (its worker is stopping): queued again, the attempt not counted when `uncount`. */
  requeue(id: string, now: number, uncount: boolean): Promise<void>;
  /** Ends a row with its outcome, kept until `expiresAt`: `done` for a success, `failed` otherwise. */
  finish(id: string, outcome: StoredOutcome, now: number, expiresAt: number): Promise<void>;
  /** Where a row stands; undefined when unknown or expired. */
  status(id: string, now: number): Promise<AsyncActionStatus | undefined>;
  /**
   * Ids of rows a worker should pick up: queued since before `queuedBefore` (their message was lost, or waits
   * long), or running with a lapsed lease (their worker died). At most `limit`, oldest first.
   */
  stranded(now: number, queuedBefore: number, limit: number): Promise<string[]>;
  /** Forgets rows past their time; returns how many. */
  prune(now: number): Promise<number>;
}

/** The binding of a row's sealed input and outcome: a sealed value moved to another row does not open. */
export function asyncBinding(id: string, part: 'input' | 'outcome'): string {
  return `async_action:${id}:${part}`;
}
