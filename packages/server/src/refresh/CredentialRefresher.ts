import type { AuthMode, NangoConnection } from '@nangohq/protocol';
import { refreshMarginMs } from './refreshMargin';
import type { IntegrationConfig } from '../config/types';
import { connectionNotFound, WorkerError } from '../errors';
import type { Logger } from '../logger';
import { failureOf } from '../operationLog/failureOf';
import type { OperationError } from '../operationLog/Operation';
import { NO_OPERATIONS, type OperationHandle, type OperationLog } from '../operationLog/OperationLog';
import type { ConnectionStore, RefreshLocks } from '../store/Store';
import type { GrantMissing, TokenGrant } from '../authModes/AuthModeHandler';
import { authModeHandler } from '../authModes/handlers';
import { connectName } from '../config/authModeNames';
import { resolveRefresherOptions, type RefresherOptions } from './RefresherOptions';
import { requestTokenWithRetries, TokenEndpointError } from '../oauth/requestToken';
import type { BackgroundReason, TokenRefresher } from './TokenRefresher';
import { sendAuthWebhook } from '../webhooks/authWebhook';
import { tokenResponseMetadata } from '../oauth/flow/providerMetadata';
import { NO_WEBHOOKS, type Webhooks } from '../webhooks/Webhooks';

/**
 * Fetches tokens again before they expire (OAuth 2 refresh tokens, and every auth mode whose handler has a `grant`:
 * client credentials, two-step exchanges, signed JWTs, …), one refresh at a time per Connection: callers in this
 * process share the refresh in flight, and worker processes sharing the database take turns through a lock in it
 * (see RefreshLocks), re-reading the Connection once they hold it, so a token a sibling just refreshed is used as it is.
 */
export class CredentialRefresher implements TokenRefresher {
  private readonly options: RefresherOptions;
  /** The refresh in flight per Connection uuid in this process. */
  private readonly inFlight = new Map<string, Promise<NangoConnection>>();
  /**
   * Connections (uuid and access token) whose dead token could not be refreshed, already logged: every call
   * fails until the configuration or the credentials change, and one line per Connection says why.
   */
  private readonly loggedNotPossible = new Set<string>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly locks: RefreshLocks,
    private readonly logger: Logger,
    options: Partial<RefresherOptions> = {},
    /** Where the `auth` refresh-failure webhook goes when a Connection is marked as needing re-authorisation. */
    private readonly webhooks: Webhooks = NO_WEBHOOKS,
    /** Where each refresh is recorded as a `refresh` operation (every call to the token endpoint, and its outcome). */
    private readonly log: OperationLog = NO_OPERATIONS,
  ) {
    this.options = resolveRefresherOptions(options);
  }

  /**
   * See TokenRefresher. A Connection without `expires_at` is never refreshed unless forced: nothing says when its
   * token expires, and refreshing it on every call would hammer the provider. One the provider rejected fails fast
   * without asking it again (the refresh token is dead, and with it usually the access token) until new
   * credentials are registered. When a refresh ahead of expiry fails transiently, the current token is used while
   * it is still valid; after it, calls fail fast during the cool-down. Each refresh that calls the provider is a
   * `refresh` operation (pointing at `options.operationId`, the action run it is for); so is the first refusal of a
   * dead token that cannot be refreshed, and each forced one.
   * @throws WorkerError `connection_needs_reauthorization`, `token_refresh_failed`, `refresh_not_possible`,
   *   `connection_not_found` (deleted during the refresh), `storage_error`
   */
  async ensureFresh(
    integration: IntegrationConfig,
    connection: NangoConnection,
    options: { force?: boolean; operationId?: string; background?: BackgroundReason } = {},
  ): Promise<NangoConnection> {
    if (!authModeHandler(integration.authMode).grant) return connection;
    const force = options.force === true;
    const now = this.options.now();
    const marginMs = refreshMarginMs(integration);
    if (!force && !isDue(connection, marginMs, now)) return connection;
    if (connection.authorization === 'needs_reauthorization') throw needsReauthorization(connection);
    const request = this.grant(integration, connection);
    if ('missing' in request) {
      // Nothing to refresh with: say so when asked to, or when the token is dead and a refresh was meant to happen.
      const meantTo = request.usableAsIs !== true && !isStillValid(connection, now);
      const firstTime = meantTo && this.logNotPossibleOnce(connection, request.missing);
      if (!force && !meantTo) return connection;
      const error = refreshNotPossible(connection, request.missing);
      if (force || firstTime) this.start(connection, integration.authMode, options, force).end('failed', failureOf(error).error);
      throw error;
    }
    try {
      return await this.shared(connection.uuid, () => this.refreshLocked(integration, connection, force, options));
    } catch (error) {
      const failed = error instanceof WorkerError && error.code === 'token_refresh_failed';
      if (failed && !force && isStillValid(connection, this.options.now())) return connection;
      throw error;
    }
  }

  /**
   * A `refresh` operation for `connection`, named after its auth mode (`oauth2`, `oauth2_cc`, …); `fields.background`
   * says why the background check asked for it, when it did.
   */
  private start(connection: NangoConnection, mode: AuthMode, why: RefreshCause, force: boolean): OperationHandle {
    return this.log.start({
      kind: 'refresh',
      name: connectName(mode),
      integration: connection.integration,
      connectionId: connection.userId,
      parentId: why.operationId || undefined,
      fields: { force, ...(why.background && { background: why.background }) },
    });
  }

  /**
   * Warns once per Connection and access token: the operator must configure the integration, or the app re-register.
   * @returns whether it warned now (the first time)
   */
  private logNotPossibleOnce(connection: NangoConnection, missing: string): boolean {
    const key = `${connection.uuid}:${tokenOf(connection.credentials)}`;
    if (this.loggedNotPossible.has(key)) return false;
    this.loggedNotPossible.add(key);
    this.logger.warn(
      { integration: connection.integration, userId: connection.userId, connection: connection.uuid },
      `the access token has expired and cannot be refreshed: ${missing}; every call for this Connection fails with refresh_not_possible until then`,
    );
    return true;
  }

  /** The auth mode's request for a new token, or what is missing to make one (see AuthModeHandler.grant). */
  private grant(integration: IntegrationConfig, connection: NangoConnection): TokenGrant | GrantMissing {
    const grant = authModeHandler(integration.authMode).grant;
    if (!grant) return { missing: `auth mode ${integration.authMode} fetches no token`, usableAsIs: true };
    return grant(integration, connection, this.options.requestTimeoutMs);
  }

  /** Runs `refresh` unless a refresh of the same Connection is in flight in this process, whose outcome is shared. */
  private shared(uuid: string, refresh: () => Promise<NangoConnection>): Promise<NangoConnection> {
    let pending = this.inFlight.get(uuid);
    if (!pending) {
      pending = refresh().finally(() => this.inFlight.delete(uuid));
      this.inFlight.set(uuid, pending);
    }
    return pending;
  }

  /**
   * Takes the database lock, re-reads the Connection, and refreshes it unless a sibling already has.
   * @throws WorkerError, see ensureFresh
   */
  private async refreshLocked(
    integration: IntegrationConfig,
    seen: NangoConnection,
    force: boolean,
    why: RefreshCause,
  ): Promise<NangoConnection> {
    await this.failIfCoolingDown(seen);
    await this.acquire(seen);
    try {
      // The version is read before the credentials: if they are written in between, the version is the older one,
      // and storing the outcome fails safe (see refreshNow) instead of overwriting credentials this refresh never saw.
      const version = await this.store.credentialsVersion(seen.uuid);
      const current = await this.store.get(integration.name, seen.userId);
      if (version === undefined || current?.uuid !== seen.uuid) throw connectionNotFound(integration.name, seen.userId);
      if (current.authorization === 'needs_reauthorization') throw needsReauthorization(current);
      // A sibling refreshed it while we waited (or new credentials came): that token is as fresh as ours would be.
      if (tokenOf(current.credentials) !== tokenOf(seen.credentials)) return current;
      await this.failIfCoolingDown(current);
      const operation = this.start(current, integration.authMode, why, force);
      try {
        return await this.refreshNow(integration, current, version, force, operation);
      } catch (error) {
        const failure = failureOf(error);
        operation.end(failure.status, failure.error); // ignored when refreshNow ended it already
        throw error;
      }
    } finally {
      await this.release(seen);
    }
  }

  /**
   * Calls the token endpoint (the lock is held) and stores the outcome, fenced by `version`: the credentials
   * this refresh started from. When they were written meanwhile (by updateConnectionCredentials, or by a sibling
   * that took over after our lease ran out), the outcome is about credentials that are gone: it is dropped and
   * the stored ones are returned. Ends `operation` with the outcome (a dropped one `cancelled`).
   * @throws WorkerError, see ensureFresh
   */
  private async refreshNow(
    integration: IntegrationConfig,
    current: NangoConnection,
    version: number,
    force: boolean,
    operation: OperationHandle,
  ): Promise<NangoConnection> {
    const request = this.grant(integration, current);
    if ('missing' in request) throw refreshNotPossible(current, request.missing);
    const fields = { integration: integration.name, connection: current.uuid, force, operationId: operation.id || undefined };
    const { owner, leaseMs } = this.options;
    const startedAt = Date.now();
    let response: Record<string, unknown> | undefined;
    try {
      // Renewing the lease right before each call gives every attempt a whole lease (far longer than one request's
      // time limit plus its backoff), and refuses the call once the lease was lost: a sibling may hold it then, and
      // two workers spending one refresh token can get the Connection revoked by providers that rotate them. A
      // stalled process can still outlive its lease mid-request; the version fence below catches that.
      response = await requestTokenWithRetries(
        () => request.request(),
        this.options,
        () => this.locks.renew(current.uuid, owner, leaseMs),
        (attempt, error, pauseMs) =>
          operation.message(
            'warn',
            `the token endpoint failed (${error.message}); retry ${attempt} of ${this.options.attempts - 1} in ${pauseMs} ms`,
          ),
      );
    } catch (error) {
      return await this.failed(integration, current, version, error, operation);
    }
    if (response === undefined) {
      this.logger.warn(fields, 'oauth refresh lock lost before calling the token endpoint; using the stored credentials');
      operation.end('cancelled', LOCK_LOST);
      return this.reread(current);
    }
    const credentials = request.credentials(current.credentials, response, this.options.now());
    if (!(await this.store.replaceCredentials(current.uuid, credentials, version))) {
      this.logger.warn(fields, 'oauth refresh outcome dropped: the credentials were written during the refresh');
      operation.end('cancelled', CREDENTIALS_CHANGED);
      return this.reread(current);
    }
    await this.keepMetadata(integration, current, response);
    const expiresAt = typeof credentials['expires_at'] === 'string' ? credentials['expires_at'] : null;
    this.logger.info({ ...fields, expiresAt, ms: Date.now() - startedAt }, 'oauth access token refreshed');
    operation.message('info', 'token refreshed', { expiresAt });
    operation.set({ expiresAt });
    operation.end('success');
    return this.reread(current);
  }

  /**
   * For a mode whose token is fetched with the Connection's credentials (OAUTH2_CC, TWO_STEP, …: its handler's
   * tokenFetch atCreation), the new answer's `token_response_metadata` fields written to the config when they changed, as at
   * creation and at updateConnectionCredentials. An OAuth 2 refresh leaves the config as the callback made it.
   */
  private async keepMetadata(
    integration: IntegrationConfig,
    connection: NangoConnection,
    response: Record<string, unknown>,
  ): Promise<void> {
    if (!integration.provider || authModeHandler(integration.authMode).tokenFetch?.atCreation !== true) return;
    const metadata = tokenResponseMetadata(integration.provider, response);
    const unchanged = (config: Record<string, unknown>) =>
      Object.entries(metadata).every(([key, value]) => config[key] === value);
    if (unchanged(connection.additionalConfig)) return;
    // Merged into the config as it is at the write, in one transaction: a config change made while the token was
    // being fetched (the refresh can take seconds) is kept, not overwritten with what was read before it.
    await this.store.updateConfigs(connection.integration, [connection.userId], (current) =>
      unchanged(current) ? current : { ...current, ...metadata },
    );
  }

  /**
   * Records a failed refresh on the Connection and throws the error callers get; unless the credentials were
   * written meanwhile, in which case the failure is about credentials that are gone, and the new ones are returned.
   * @throws WorkerError `connection_needs_reauthorization`, `token_refresh_failed`, or `error` as it is
   */
  private async failed(
    integration: IntegrationConfig,
    connection: NangoConnection,
    version: number,
    error: unknown,
    operation: OperationHandle,
  ): Promise<NangoConnection> {
    if (!(error instanceof TokenEndpointError)) throw error;
    // The provider's reason, scrubbed of every secret the request held (see readTokenResponse).
    const fields = { integration: connection.integration, connection: connection.uuid, reason: error.message };
    operation.set({ failure: error.kind });
    if (error.kind === 'rejected') {
      if (!(await this.store.markNeedsReauthorization(connection.uuid, error.message, version))) {
        this.logger.warn(fields, 'oauth refresh token rejected, but new credentials were written meanwhile; using them');
        operation.end('cancelled', CREDENTIALS_CHANGED);
        return this.reread(connection);
      }
      operation.end('failed', {
        code: 'connection_needs_reauthorization',
        message: `the provider rejected the refresh token (${error.message}): the user must authorise again`,
      });
      this.logger.warn(fields, 'oauth refresh token rejected; the Connection needs authorising again');
      await sendAuthWebhook(
        { webhooks: this.webhooks, store: this.store },
        {
          integration: connection.integration,
          userId: connection.userId,
          authMode: integration.authMode,
          provider: integration.provider?.name ?? integration.name,
          operation: 'refresh',
          error: { type: 'refresh_token_rejected', description: refreshFailure(error.message) },
        },
      );
      throw needsReauthorization({ ...connection, authorizationError: error.message });
    }
    // Not atomic, unlike the fenced writes: at worst new credentials inherit a cool-down, as before fencing.
    if ((await this.store.credentialsVersion(connection.uuid)) !== version) {
      operation.end('cancelled', CREDENTIALS_CHANGED);
      return this.reread(connection);
    }
    const until = this.options.now() + this.options.cooldownMs;
    await this.store.setRefreshCooldown(connection.uuid, until);
    this.logger.warn({ ...fields, kind: error.kind }, 'oauth token refresh failed');
    const hint =
      error.kind === 'transient'
        ? `after ${this.options.attempts} attempt(s)`
        : `check oauth.token_url, client_id, client_secret and client_auth of '${connection.integration}'`;
    const failure = new WorkerError(
      'token_refresh_failed',
      `Refreshing the access token of ${who(connection)} failed (${error.message}), ${hint}; next attempt after ${new Date(until).toISOString()}.`,
    );
    operation.end('failed', { code: failure.code, message: failure.message });
    throw failure;
  }

  /**
   * The Connection as stored now, after a refresh: never the outcome of a refresh of a Connection deleted meanwhile.
   * @throws WorkerError `connection_not_found`, `connection_needs_reauthorization` (marked by a sibling since)
   */
  private async reread(connection: NangoConnection): Promise<NangoConnection> {
    const current = await this.store.get(connection.integration, connection.userId);
    if (current?.uuid !== connection.uuid) throw connectionNotFound(connection.integration, connection.userId);
    if (current.authorization === 'needs_reauthorization') throw needsReauthorization(current);
    return current;
  }

  /** Gives the lock back. A failure is logged, not thrown: it must not hide the refresh's outcome, and the lease ends anyway. */
  private async release(connection: NangoConnection): Promise<void> {
    try {
      await this.locks.release(connection.uuid, this.options.owner);
    } catch (error) {
      const fields = { integration: connection.integration, connection: connection.uuid, err: (error as Error).message };
      this.logger.warn(fields, `oauth refresh lock not released; it ends with its lease in ${this.options.leaseMs} ms`);
    }
  }

  /** @throws WorkerError `token_refresh_failed` while a failed refresh's cool-down lasts */
  private async failIfCoolingDown(connection: NangoConnection): Promise<void> {
    const until = await this.store.refreshCooldown(connection.uuid);
    if (until === undefined || until <= this.options.now()) return;
    throw new WorkerError(
      'token_refresh_failed',
      `Refreshing the access token of ${who(connection)} failed moments ago; next attempt after ${new Date(until).toISOString()}.`,
    );
  }

  /**
   * Waits for the Connection's lock, polling while a sibling holds it.
   * @throws WorkerError `token_refresh_failed` when it is not free within lockWaitMs
   */
  private async acquire(connection: NangoConnection): Promise<void> {
    const { owner, leaseMs, lockPollMs, lockWaitMs } = this.options;
    const deadline = Date.now() + lockWaitMs;
    while (!(await this.locks.tryAcquire(connection.uuid, owner, leaseMs))) {
      if (Date.now() >= deadline) {
        throw new WorkerError(
          'token_refresh_failed',
          `Another worker has been refreshing the access token of ${who(connection)} for over ${lockWaitMs} ms; try again shortly.`,
        );
      }
      // Jitter keeps waiting siblings from polling in step.
      await new Promise((resolve) => setTimeout(resolve, lockPollMs * (0.5 + Math.random())));
    }
  }
}

/** What a refresh is for: the operation it happens for, or why the background check asked for it. */
interface RefreshCause {
  readonly operationId?: string;
  readonly background?: BackgroundReason;
}

/** How a refresh ends whose lock was lost before it called the provider. */
const LOCK_LOST: OperationError = {
  code: 'refresh_lock_lost',
  message: 'the refresh lock was lost before the token endpoint was called; the stored credentials are used',
};

/** How a refresh ends whose outcome is about credentials written meanwhile (new ones registered, or a sibling's). */
const CREDENTIALS_CHANGED: OperationError = {
  code: 'credentials_changed',
  message: 'the credentials were written during the refresh; its outcome is dropped and the stored ones are used',
};

/** When the access token expires, in epoch ms; undefined when the Connection does not say. */
function expiresAt(connection: NangoConnection): number | undefined {
  const value = connection.credentials['expires_at'];
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? undefined : time;
}

/**
 * What tells one fetched token from the next, whatever the mode calls it: OAuth 2's `access_token`, the `token` of
 * JWT and client credentials, a `session_id` (Bill), AWS's `access_key_id`, and `expires_at` (a refresh always moves it).
 */
function tokenOf(credentials: Readonly<Record<string, unknown>>): string {
  const fields = ['access_token', 'token', 'session_id', 'access_key_id', 'expires_at'];
  return JSON.stringify(fields.map((field) => credentials[field] ?? null));
}

/** Expires within the margin (no expires_at: never due, see ensureFresh). */
function isDue(connection: NangoConnection, marginMs: number, now: number): boolean {
  const at = expiresAt(connection);
  return at !== undefined && at - now <= marginMs;
}

/** Known not to have expired yet. */
function isStillValid(connection: NangoConnection, now: number): boolean {
  const at = expiresAt(connection);
  return at !== undefined && at > now;
}

function who(connection: NangoConnection): string {
  return `user '${connection.userId}' on integration '${connection.integration}'`;
}

function refreshNotPossible(connection: NangoConnection, missing: string): WorkerError {
  return new WorkerError('refresh_not_possible', `Cannot refresh the access token of ${who(connection)}: ${missing}.`);
}

function needsReauthorization(connection: NangoConnection): WorkerError {
  const reason = connection.authorizationError ?? 'refresh token rejected';
  return new WorkerError(
    'connection_needs_reauthorization',
    `The provider rejected the refresh token of ${who(connection)} (${reason}): the user must authorise again, then register the new credentials with updateConnectionCredentials.`,
  );
}

/** What the refresh-failure webhook says: the provider's reason (tokens it quoted already scrubbed), kept short. */
function refreshFailure(reason: string): string {
  return `The provider rejected the refresh token (${reason.slice(0, 300)}): the user must authorise again`;
}
