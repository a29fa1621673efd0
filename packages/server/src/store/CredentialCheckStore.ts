/**
 * When the background check (refresh/BackgroundRefresh.ts) next looks at each Connection, shared by every worker on
 * the database. Each Connection row has a due time (`next_check_at`): 0 once its credentials are written (the next
 * look plans them), NULL once it needs the user (never looked at again until new credentials come), else the time
 * the last look planned. A worker claims due rows with one conditional update that moves their due time to the end
 * of a lease, so two workers never look at one Connection at once; a worker that dies leaves rows that come due
 * again when the lease ends. SQLite and PostgreSQL run the same statements (store/sql/SqlCredentialCheckStore.ts).
 */
export interface CredentialCheckStore {
  /**
   * Takes up to `limit` Connections due at `now` (that do not need the user), earliest due first, for a look until
   * `leaseUntil`: until then no other claim returns them. Atomic: a row is claimed by one caller only.
   */
  claimDue(leaseUntil: number, limit: number, now: number): Promise<ClaimedCheck[]>;
  /**
   * Records a look's plan: the next look at `nextCheckAt`, and `checkedAt` as when the credentials were last proven
   * good (unchanged when undefined). Only while the credentials are still at `version` and need no user: a plan made
   * for credentials written since would be about credentials that are gone (their write asked for a look already).
   * False when nothing was written.
   */
  finish(uuid: string, version: number, plan: { nextCheckAt: number; checkedAt?: number }): Promise<boolean>;
  /** Gives back a claim not looked at (the worker stops): due at `dueAt` unless it changed since the claim. */
  release(uuid: string, claimedUntil: number, dueAt: number): Promise<void>;
}

/** A Connection claimed for a look. */
export interface ClaimedCheck {
  readonly uuid: string;
  readonly integration: string;
  readonly userId: string;
  /** When its credentials were last proven good (epoch ms); undefined for credentials no look has seen yet. */
  readonly checkedAt: number | undefined;
  /** Epoch ms until which refreshes pause after a failed one (CredentialRefresher's cool-down), if any. */
  readonly cooldownUntil: number | undefined;
  /** The claim's lease: its due time until the look records a plan. */
  readonly claimedUntil: number;
}
