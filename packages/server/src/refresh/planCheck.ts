import type { BackgroundReason } from './TokenRefresher';

/** What the background check does with a Connection it looks at. */
export type CheckPlan =
  | { readonly act: 'refresh'; readonly reason: BackgroundReason }
  | { readonly act: 'verify' }
  /** Nothing now: the next look at `until` (epoch ms). */
  | { readonly act: 'wait'; readonly until: number };

/** The background check's intervals, in ms (see BackgroundRefreshOptions). */
export interface CheckTimings {
  /** Between two cycles: a token is refreshed when it would expire within its margin before the next one. */
  readonly intervalMs: number;
  /** Longest time a refresh token goes unused; 0: used only when its access token expires. */
  readonly exerciseMs: number;
  /** Between two verifications of static credentials; 0: never. */
  readonly verifyMs: number;
  /** Next look at a Connection with nothing planned, so a change of its integration is seen in time. */
  readonly idleMs: number;
}

/** What a look knows of a Connection. */
export interface CheckedConnection {
  /** Its auth mode fetches tokens (a grant) and has what it needs to fetch one now (a refresh token, a token URL, …). */
  readonly refreshable: boolean;
  /** Its credentials are static and its integration names a verification request. */
  readonly verifiable: boolean;
  /** When its access token expires, if it says (epoch ms). */
  readonly expiresAt: number | undefined;
  /** When its credentials were last proven good (epoch ms). */
  readonly checkedAt: number;
  /** Until when refreshes pause after a failed one, if they do (epoch ms). */
  readonly cooldownUntil: number | undefined;
  /** Its integration's refresh margin. */
  readonly marginMs: number;
}

/**
 * Decides what a look at a Connection does at `now`: refresh a token that would expire within its margin before the
 * next cycle, or whose refresh token has gone unused for the exercise interval; verify static credentials verified
 * longer ago than the verification interval; otherwise wait until the first of those comes due.
 */
export function planCheck(connection: CheckedConnection, timings: CheckTimings, now: number): CheckPlan {
  const idle = now + timings.idleMs;
  if (connection.refreshable) {
    // A failed refresh's cool-down is waited out: the refresher would refuse to try before it ends anyway.
    if (connection.cooldownUntil !== undefined && connection.cooldownUntil > now) {
      return { act: 'wait', until: connection.cooldownUntil };
    }
    const { expiresAt, marginMs } = connection;
    const expiryDue = expiresAt === undefined ? Infinity : expiresAt - marginMs - timings.intervalMs;
    const exerciseDue = timings.exerciseMs > 0 ? connection.checkedAt + timings.exerciseMs : Infinity;
    if (expiryDue <= now) return { act: 'refresh', reason: 'expiry' };
    if (exerciseDue <= now) return { act: 'refresh', reason: 'exercise' };
    return { act: 'wait', until: Math.min(expiryDue, exerciseDue, idle) };
  }
  if (connection.verifiable && timings.verifyMs > 0) {
    const due = connection.checkedAt + timings.verifyMs;
    return due <= now ? { act: 'verify' } : { act: 'wait', until: Math.min(due, idle) };
  }
  return { act: 'wait', until: idle };
}

/**
 * The next look after a refresh that just succeeded: as planned, but never sooner than the next cycle nor than half
 * the new token's life, so a provider whose tokens live shorter than the margin is not asked at every cycle.
 */
export function nextAfterRefresh(plan: CheckPlan, expiresAt: number | undefined, timings: CheckTimings, now: number): number {
  const halfLife = expiresAt === undefined ? 0 : (expiresAt - now) / 2;
  const soonest = now + Math.max(timings.intervalMs, halfLife);
  return plan.act === 'wait' ? Math.max(plan.until, soonest) : soonest;
}
