import type { NangoConnection } from '@nangohq/protocol';
import { canFetchToken } from '../authModes/canFetchToken';
import { authModeHandler } from '../authModes/handlers';
import { refreshMarginMs } from './refreshMargin';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import { verificationOf } from '../outbound/verifyCredentials';
import type { ClaimedCheck } from '../store/Store';
import {
  resolveBackgroundRefreshOptions,
  type BackgroundRefreshOptions,
  type CheckKind,
  type CheckOutcome,
  type ResolvedBackgroundRefreshOptions,
} from './BackgroundRefreshOptions';
import { nextAfterRefresh, planCheck, type CheckedConnection, type CheckTimings } from './planCheck';
import { recheckCredentials } from './recheckCredentials';
import type { BackgroundReason } from './TokenRefresher';

/** What a look at one Connection did. */
export type LookOutcome =
  | 'planned' // nothing due: its next look is planned
  | 'refreshed'
  | 'verified'
  | 'needs_reauthorization' // the provider refused: marked, webhook sent, no further look until new credentials
  | 'transient' // the provider did not answer well: looked at again at the next cycle
  | 'not_possible' // nothing to refresh with, or no verification request can be made: looked at again much later
  | 'cancelled' // the credentials were written meanwhile: their write asked for a look already
  | 'gone' // deleted meanwhile
  | 'error' // a failure of ours (logged): the claim runs out and the Connection is looked at again
  | 'released'; // not looked at: the worker stops, and the claim is given back

/** How many looks of a cycle ended each way. */
export type CycleSummary = Record<LookOutcome, number>;

/** The first cycle after a start, at most: soon, but after the start's own work. */
const FIRST_CYCLE_MS = 5_000;

/**
 * Keeps credentials alive with no call from the app. Every cycle (NANGO_CREDENTIALS_CHECK_INTERVAL_S, less up to a
 * fifth at random so workers drift apart), each worker claims the Connections due for a look (CredentialCheckStore:
 * one conditional update, so one worker of many looks at each) in small batches, and looks at a few at a time:
 * - a token that would expire within its integration's margin before the next cycle is refreshed, and so is one whose
 *   refresh token has not been used for NANGO_REFRESH_EXERCISE_INTERVAL_S (providers revoke unused ones): every auth
 *   mode whose handler fetches tokens (a `grant`), through the worker's CredentialRefresher, whose lock, fencing,
 *   cool-down, `refresh` operation and `auth` webhook apply as for a refresh an action asks for;
 * - static credentials (modes without a grant) whose integration names a verification request are tried there every
 *   NANGO_CREDENTIALS_VERIFY_INTERVAL_S (see recheckCredentials).
 * A refusal marks the Connection as needing the user, which ends its looks until new credentials come; a transient
 * failure is tried again at the next cycle. Each look plans the next one (planCheck).
 */
export class BackgroundRefresh {
  private readonly options: ResolvedBackgroundRefreshOptions;
  private readonly timings: CheckTimings;
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<CycleSummary> | undefined;
  private stopping = false;

  constructor(options: BackgroundRefreshOptions) {
    this.options = resolveBackgroundRefreshOptions(options);
    const { intervalMs, exerciseMs, verifyMs, idleMs } = this.options;
    this.timings = { intervalMs, exerciseMs, verifyMs, idleMs };
  }

  /** Starts the cycles: a first one soon, then one every interval. Does nothing when the interval is 0. */
  start(): void {
    if (this.options.intervalMs === 0) return;
    this.stopping = false;
    this.plan(Math.min(FIRST_CYCLE_MS, this.options.intervalMs));
  }

  /**
   * Stops: no new look starts, claims not looked at are given back, and the looks in flight are waited for (at most
   * stopWaitMs; a refresh still going then ends on its own, its outcome fenced as any refresh's).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const cycle = this.cycle;
    if (!cycle) return;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise((resolve) => (timer = setTimeout(resolve, this.options.stopWaitMs)));
    await Promise.race([cycle.catch(() => undefined), waited]);
    clearTimeout(timer);
  }

  /**
   * One cycle now (the timer calls it; tests do, with their clock): claims and looks at batch after batch until no
   * Connection is due. A cycle going on is waited for, not doubled.
   * @throws WorkerError `storage_error` when a claim fails (the looks already made stand)
   */
  runCycle(): Promise<CycleSummary> {
    this.cycle ??= this.claimAndLook().finally(() => (this.cycle = undefined));
    return this.cycle;
  }

  private async claimAndLook(): Promise<CycleSummary> {
    const { checks, batchSize, claimLeaseMs, now } = this.options;
    const summary = emptySummary();
    while (!this.stopping) {
      const at = now();
      const claims = await checks.claimDue(at + claimLeaseMs, batchSize, at);
      await this.lookAtAll(claims, summary);
      if (claims.length < batchSize) break;
    }
    return summary;
  }

  /** Looks at `claims`, `concurrency` at a time. */
  private async lookAtAll(claims: readonly ClaimedCheck[], summary: CycleSummary): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let claim = claims[next++]; claim !== undefined; claim = claims[next++]) {
        summary[this.stopping ? await this.release(claim) : await this.look(claim)]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, claims.length) }, lane));
  }

  /** One look: reads the Connection, plans, and refreshes or verifies it when due. Never throws. */
  private async look(claim: ClaimedCheck): Promise<LookOutcome> {
    const { connections, checks, now } = this.options;
    try {
      // The version is read before the credentials, as the refresher does: a plan is only recorded for these.
      const version = await connections.credentialsVersion(claim.uuid);
      const connection = await connections.get(claim.integration, claim.userId);
      if (version === undefined || connection?.uuid !== claim.uuid) return 'gone';
      if (connection.authorization !== 'ok') return 'cancelled'; // marked since the claim: nothing more to do
      const at = now();
      const checkedAt = claim.checkedAt ?? at; // new credentials: as good as proven when written
      const integration = this.options.integrations().integrations.get(claim.integration);
      if (integration === undefined) {
        // Not declared (any more): it may be again, so its Connections are looked at again later.
        await checks.finish(claim.uuid, version, { nextCheckAt: at + this.timings.idleMs, checkedAt });
        return 'planned';
      }
      const plan = planCheck(this.describe(integration, connection, claim, checkedAt), this.timings, at);
      if (plan.act === 'wait') {
        await checks.finish(claim.uuid, version, { nextCheckAt: plan.until, checkedAt });
        return 'planned';
      }
      if (plan.act === 'refresh') return await this.refresh(integration, connection, claim, version, plan.reason);
      return await this.verify(integration, connection, version);
    } catch (error) {
      this.options.logger.warn(
        { err: error, integration: claim.integration, connection: claim.uuid },
        'background credential check failed; the Connection is looked at again once its claim runs out',
      );
      return 'error';
    }
  }

  /** What planCheck needs to know of a Connection. */
  private describe(
    integration: IntegrationConfig,
    connection: NangoConnection,
    claim: ClaimedCheck,
    checkedAt: number,
  ): CheckedConnection {
    const handler = authModeHandler(integration.authMode);
    const refreshable = canFetchToken(integration, connection);
    const expires = connection.credentials['expires_at'];
    const expiresAt = typeof expires === 'string' ? Date.parse(expires) : NaN;
    return {
      refreshable,
      verifiable: handler.grant === undefined && verificationOf(integration) !== undefined,
      expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
      checkedAt,
      cooldownUntil: claim.cooldownUntil,
      marginMs: refreshMarginMs(integration),
    };
  }

  /**
   * Refreshes through the worker's refresher (forced: the plan decided it is due), then plans the next look from the
   * new token.
   * @throws what ensureFresh throws besides the refresh errors (storage_error)
   */
  private async refresh(
    integration: IntegrationConfig,
    connection: NangoConnection,
    claim: ClaimedCheck,
    version: number,
    reason: BackgroundReason,
  ): Promise<LookOutcome> {
    const { refresher, connections, checks, now } = this.options;
    try {
      await refresher.ensureFresh(integration, connection, { force: true, background: reason });
    } catch (error) {
      const outcome = refreshFailure(error);
      if (outcome === undefined) throw error;
      this.count('refresh', outcome === 'gone' ? 'cancelled' : outcome);
      const wait = outcome === 'transient' ? this.timings.intervalMs : this.timings.idleMs;
      if (outcome === 'transient' || outcome === 'not_possible') {
        await checks.finish(claim.uuid, version, { nextCheckAt: now() + wait });
      }
      return outcome;
    }
    this.count('refresh', 'success');
    const at = now();
    const newVersion = await connections.credentialsVersion(claim.uuid);
    const fresh = await connections.get(claim.integration, claim.userId);
    if (newVersion === undefined || fresh?.uuid !== claim.uuid) return 'gone';
    const described = this.describe(integration, fresh, claim, at);
    const next = nextAfterRefresh(planCheck(described, this.timings, at), described.expiresAt, this.timings, at);
    await checks.finish(claim.uuid, newVersion, { nextCheckAt: next, checkedAt: at });
    return 'refreshed';
  }

  /** Verifies static credentials again (recheckCredentials), and plans the next look from the outcome. */
  private async verify(integration: IntegrationConfig, connection: NangoConnection, version: number): Promise<LookOutcome> {
    const { connections, webhooks, log, logger, checks, now } = this.options;
    const outcome = await recheckCredentials({ connections, webhooks, log, logger }, integration, connection, version);
    const at = now();
    const { intervalMs, verifyMs } = this.timings;
    switch (outcome) {
      case 'verified':
        this.count('verification', 'success');
        await checks.finish(connection.uuid, version, { nextCheckAt: at + verifyMs, checkedAt: at });
        return 'verified';
      case 'refused':
        this.count('verification', 'needs_reauthorization');
        return 'needs_reauthorization';
      case 'transient':
        this.count('verification', 'transient');
        await checks.finish(connection.uuid, version, { nextCheckAt: at + intervalMs });
        return 'transient';
      case 'unverifiable':
        this.count('verification', 'not_possible');
        await checks.finish(connection.uuid, version, { nextCheckAt: at + verifyMs });
        return 'not_possible';
      case 'changed':
        this.count('verification', 'cancelled');
        return 'cancelled';
    }
  }

  /** Gives a claim back, due now, when the worker stops before looking at it; a failure only leaves the claim to run out. */
  private async release(claim: ClaimedCheck): Promise<LookOutcome> {
    await this.options.checks.release(claim.uuid, claim.claimedUntil, this.options.now()).catch(() => undefined);
    return 'released';
  }

  private count(check: CheckKind, outcome: CheckOutcome): void {
    this.options.counter.count(check, outcome);
  }

  private plan(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.runCycle()
        .then(
          (summary) => this.report(summary),
          (error: unknown) =>
            this.options.logger.warn({ err: error }, 'background credential check: the cycle failed; retrying at the next'),
        )
        .finally(() => this.plan(this.options.intervalMs * (1 - 0.2 * this.options.random())));
    }, delayMs);
    this.timer.unref();
  }

  /** One line per cycle that did something. */
  private report(summary: CycleSummary): void {
    const { planned, released, ...acted } = summary;
    const counts = Object.fromEntries(Object.entries(acted).filter(([, count]) => count > 0));
    if (Object.keys(counts).length > 0) this.options.logger.info({ ...counts, planned }, 'background credential check');
    else if (planned + released > 0) this.options.logger.debug({ planned, released }, 'background credential check');
  }
}

/** The look's outcome for a refresh error (the refresher has recorded it); undefined for errors that are not about refreshing. */
function refreshFailure(error: unknown): 'needs_reauthorization' | 'transient' | 'not_possible' | 'gone' | undefined {
  if (!(error instanceof WorkerError)) return undefined;
  switch (error.code) {
    case 'connection_needs_reauthorization':
      return 'needs_reauthorization';
    case 'token_refresh_failed':
      return 'transient';
    case 'refresh_not_possible':
      return 'not_possible';
    case 'connection_not_found':
      return 'gone';
    default:
      return undefined;
  }
}

function emptySummary(): CycleSummary {
  return {
    planned: 0,
    refreshed: 0,
    verified: 0,
    needs_reauthorization: 0,
    transient: 0,
    not_possible: 0,
    cancelled: 0,
    gone: 0,
    error: 0,
    released: 0,
  };
}
