import { randomUUID } from 'node:crypto';

/** How the refresher talks to token endpoints and to its sibling workers. */
export interface RefresherOptions {
  /** Time limit of one call to the token endpoint. Default: 10000 ms */
  readonly requestTimeoutMs: number;
  /** Calls to the token endpoint per refresh while it fails transiently (timeout, 5xx, 429). Default: 3 */
  readonly attempts: number;
  /** Pause before the first retry, doubled before each next one, plus up to 50% jitter. Default: 200 ms */
  readonly backoffMs: number;
  /** After a refresh failed, no new one is tried for this long; calls fail fast meanwhile. Default: 30000 ms */
  readonly cooldownMs: number;
  /**
   * How long a refresh lock holds unless released or renewed (it is renewed before every call to the token
   * endpoint); must outlast the slowest refresh. Default: 45000 ms
   */
  readonly leaseMs: number;
  /** Pause between tries to take a lock a sibling worker holds (with jitter). Default: 50 ms */
  readonly lockPollMs: number;
  /** Longest wait for a lock a sibling worker holds, then `token_refresh_failed`. Default: 20000 ms */
  readonly lockWaitMs: number;
  /** Names this process as the holder of its locks. Default: a random UUID, one per refresher */
  readonly owner: string;
  /**
   * The clock of expiries and cool-downs: when a token is due, when a new one expires, when a cool-down ends (lock
   * leases and waits keep real time). Tests drive it. Default: Date.now
   */
  readonly now: () => number;
}

/**
 * Fills in the defaults of RefresherOptions.
 * @throws Error when the lease is shorter than the slowest refresh: two workers could then refresh at once
 */
export function resolveRefresherOptions(options: Partial<RefresherOptions> = {}): RefresherOptions {
  const resolved: RefresherOptions = {
    requestTimeoutMs: 10_000,
    attempts: 3,
    backoffMs: 200,
    cooldownMs: 30_000,
    leaseMs: 45_000,
    lockPollMs: 50,
    lockWaitMs: 20_000,
    owner: randomUUID(),
    now: Date.now,
    ...options,
  };
  const slowest = resolved.attempts * resolved.requestTimeoutMs + 1.5 * resolved.backoffMs * (2 ** (resolved.attempts - 1) - 1);
  if (resolved.leaseMs <= slowest) {
    throw new Error(`leaseMs (${resolved.leaseMs}) must be longer than the slowest refresh (${slowest} ms)`);
  }
  return Object.freeze(resolved);
}
