import type { IntegrationsConfig } from '../config/types';
import type { Logger } from '../logger';
import { NO_OPERATIONS, type OperationLog } from '../operationLog/OperationLog';
import type { ConnectionStore, CredentialCheckStore } from '../store/Store';
import { NO_WEBHOOKS, type Webhooks } from '../webhooks/Webhooks';
import type { TokenRefresher } from './TokenRefresher';

/** What a look at one Connection was, for metrics: which check ran (if one did) and how it ended. */
export type CheckKind = 'refresh' | 'verification';
export type CheckOutcome = 'success' | 'needs_reauthorization' | 'transient' | 'not_possible' | 'cancelled' | 'error';

/** Counts the checks the background made (metrics/CredentialCheckMetrics.ts implements it). */
export interface CheckCounter {
  count(check: CheckKind, outcome: CheckOutcome): void;
}

/** What BackgroundRefresh takes; every default is given here. */
export interface BackgroundRefreshOptions {
  readonly checks: CredentialCheckStore;
  readonly connections: ConnectionStore;
  /** The worker's refresher: its locks, fencing, cool-down, operations and webhook are the background's too. */
  readonly refresher: TokenRefresher;
  /** The integrations as currently loaded. */
  readonly integrations: () => IntegrationsConfig;
  readonly logger: Logger;
  /** Where the `auth` webhook of refused static credentials goes. Default: NO_WEBHOOKS */
  readonly webhooks?: Webhooks;
  /** Where verifications are recorded (refreshes are, by the refresher). Default: NO_OPERATIONS */
  readonly log?: OperationLog;
  /** Counts the checks. Default: none */
  readonly counter?: CheckCounter;
  /** NANGO_CREDENTIALS_CHECK_INTERVAL_S: between two cycles, less up to a fifth at random; 0: no cycles. Default: 60000 ms */
  readonly intervalMs?: number;
  /** NANGO_REFRESH_EXERCISE_INTERVAL_S: longest time a refresh token goes unused; 0: never exercised. Default: 86400000 ms */
  readonly exerciseMs?: number;
  /** NANGO_CREDENTIALS_VERIFY_INTERVAL_S: between two verifications of static credentials; 0: never. Default: 86400000 ms */
  readonly verifyMs?: number;
  /** NANGO_CREDENTIALS_CHECK_CONCURRENCY: Connections refreshed or verified at once by this worker. Default: 4 */
  readonly concurrency?: number;
  /** Connections claimed at once; each claim is looked at before the next is made. Default: 4 × concurrency */
  readonly batchSize?: number;
  /**
   * How long a claim keeps other workers off its Connections: longer than a batch takes (refreshes wait for locks and
   * retry; a verification has the integration's time limit). A worker that dies leaves its claim this long. Default: 600000 ms
   */
  readonly claimLeaseMs?: number;
  /** Next look at a Connection with nothing planned (a change of its integration is seen by then). Default: 86400000 ms */
  readonly idleMs?: number;
  /** How long a stop waits for the looks in flight. Default: 10000 ms */
  readonly stopWaitMs?: number;
  /** The clock of due times; tests drive it (and give the refresher the same one). Default: Date.now */
  readonly now?: () => number;
  /** Jitter of the cycles, in [0, 1). Default: Math.random */
  readonly random?: () => number;
}

export type ResolvedBackgroundRefreshOptions = Required<BackgroundRefreshOptions>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Fills in the defaults of BackgroundRefreshOptions.
 * @throws Error for a negative interval or a concurrency below 1
 */
export function resolveBackgroundRefreshOptions(options: BackgroundRefreshOptions): ResolvedBackgroundRefreshOptions {
  const concurrency = options.concurrency ?? 4;
  const resolved: ResolvedBackgroundRefreshOptions = {
    webhooks: NO_WEBHOOKS,
    log: NO_OPERATIONS,
    counter: { count: () => undefined },
    intervalMs: 60_000,
    exerciseMs: DAY_MS,
    verifyMs: DAY_MS,
    batchSize: 4 * concurrency,
    claimLeaseMs: 600_000,
    idleMs: DAY_MS,
    stopWaitMs: 10_000,
    now: Date.now,
    random: Math.random,
    ...options,
    concurrency,
  };
  for (const name of ['intervalMs', 'exerciseMs', 'verifyMs', 'claimLeaseMs', 'idleMs'] as const) {
    if (!(resolved[name] >= 0)) throw new Error(`${name} must be 0 or more, got ${resolved[name]}`);
  }
  if (!(concurrency >= 1) || !(resolved.batchSize >= 1)) throw new Error('concurrency and batchSize must be at least 1');
  return Object.freeze(resolved);
}
