import type { NangoConnection, NangoConnectionPublic, StoredCredentials } from '@nangohq/protocol';
import type { CredentialCipher } from '../encryption/CredentialCipher';
import type { IntegrationStore } from './IntegrationStore';
import type { OAuthSessionStore } from './OAuthSessionStore';
import type { McpClientStore } from './McpClientStore';
import type { FunctionDeploymentStore } from './FunctionDeploymentStore';
import type { AsyncActionStore } from './AsyncActionStore';
import type { ConnectSessionStore } from './ConnectSessionStore';
import type { DashboardSessionStore } from './DashboardSessionStore';
import type { RateLimitStore } from './RateLimitStore';
import type { ApiRateCounts } from './ApiRateCounts';
import type { WebhookStore } from './WebhookStore';
import type { RecordStore } from './RecordStore';
import type { SyncScheduleStore } from './SyncScheduleStore';
import type { ConnectionAttributes } from './ConnectionAttributes';
import type { CredentialCheckStore } from './CredentialCheckStore';
import type { StoredOutcome } from './StoredOutcome';

export type { ConnectionAttributes, EndUser } from './ConnectionAttributes';
export type { StoredOutcome } from './StoredOutcome';
export type { ClaimedCheck, CredentialCheckStore } from './CredentialCheckStore';
import type { OperationStore } from './OperationStore';

/**
 * Everything the worker keeps, behind one asynchronous interface with two implementations: SQLite (embedded, one
 * machine; see SqliteStore) and PostgreSQL (shared by workers on several machines; see PgStore). Every method
 * turns the database's own failures (locked, unreachable, disk full, ...) into a WorkerError `storage_error`,
 * which a caller may retry; a duplicate registration is `connection_exists`.
 */
export interface Store {
  /** Which implementation this is. */
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for logs and messages: a file path, or a URL without its password. */
  readonly location: string;
  readonly connections: ConnectionStore;
  readonly idempotency: IdempotencyStore;
  readonly refreshLocks: RefreshLocks;
  /** When the background check next looks at each Connection (refresh ahead of expiry, exercise, verification). */
  readonly credentialChecks: CredentialCheckStore;
  readonly deliveries: DeliveryCounter;
  readonly keys: KeyRecords;
  /** Rows as stored, for `nango-server copy-store`. */
  readonly rows: RowCopier;
  /** Integrations made at run time through the /config API. */
  readonly integrations: IntegrationStore;
  /** OAuth flows in progress, between /oauth/connect and its callback. */
  readonly oauthSessions: OAuthSessionStore;
  /** Clients registered dynamically for MCP OAuth flows, reused by every flow to the same authorization server. */
  readonly mcpClients: McpClientStore;
  /** Deployments of functions by the official `nango deploy`, kept as versions. */
  readonly functionDeployments: FunctionDeploymentStore;
  /** Connect sessions of the REST API (POST /connect/sessions). */
  readonly connectSessions: ConnectSessionStore;
  /** Dashboard sign-ins (POST /dashboard/session), shared by every API process. */
  readonly dashboardSessions: DashboardSessionStore;
  /** Provider rate limits learned per Connection, shared by every process. */
  readonly rateLimits: RateLimitStore;
  /** The HTTP API's own request counts, shared by every API process (its rate limit). */
  readonly apiRateCounts: ApiRateCounts;
  /** Async actions and their outcomes. */
  readonly asyncActions: AsyncActionStore;
  /** The webhook outbox and delivery log. */
  readonly webhooks: WebhookStore;
  /** Records kept by syncs. */
  readonly records: RecordStore;
  /** When each sync runs for each Connection, and the lease of the run in flight. */
  readonly syncSchedules: SyncScheduleStore;
  /** The operations log: what the server did for users, with its messages. */
  readonly operations: OperationStore;
  /** Runs a trivial query (`SELECT 1`): resolves when the database answers. For GET /health/ready. */
  ping(): Promise<void>;
  /** Closes the database (or its pool); later calls fail. Safe to call twice. */
  close(): Promise<void>;
  /** The connection pool's use right now, for metrics; absent where there is no pool (SQLite: one connection). */
  poolUse?(): PoolUse;
}

/** A connection pool's use. */
export interface PoolUse {
  /** Connections open, busy or idle. */
  readonly total: number;
  readonly idle: number;
  /** Calls waiting for a connection. */
  readonly waiting: number;
  /** Most connections the pool opens. */
  readonly max: number;
}

/** A Connection to store: credentials in clear, encrypted by the store. */
export interface NewConnection {
  integration: string;
  userId: string;
  credentials: StoredCredentials;
  additionalConfig: Record<string, unknown>;
  /** What identifies the registering request across deliveries (a hash; see rpc/requestKey.ts), if known. */
  registrationKey?: string | undefined;
}

/** A Connection as listed by the REST API: no credentials, with its attributes. */
export type ConnectionListing = NangoConnectionPublic & ConnectionAttributes;

/** Filters of `GET /connections` (contract C.3); all given ones must match. */
export interface ConnectionFilter {
  /** The connection id (our user id), exactly. */
  userId?: string;
  /** Any of these integrations. */
  integrations?: readonly string[];
  /** The end user's id, or the tag `end_user_id` (contract C.5: waitForConnection's two meanings). */
  endUserId?: string;
  endUserOrganizationId?: string;
  /** Every one of these tags, with these values (keys compared lower-cased). */
  tags?: Record<string, string>;
  /** A substring of the connection id or the end user's id, email or display name, case-insensitive. */
  search?: string;
  /** Only Connections whose authorization is this: `needs_reauthorization` once the provider rejected a refresh. */
  authorization?: 'ok' | 'needs_reauthorization';
  /** At most this many (default: all), after skipping `offset`; ordered by integration then connection id. */
  limit?: number;
  offset?: number;
}

/** Connections, credentials encrypted with a CredentialCipher bound to each row's uuid. */
export interface ConnectionStore {
  /** Stores a new Connection and returns it. @throws WorkerError `connection_exists`, `storage_error` */
  insert(input: NewConnection): Promise<NangoConnection>;
  /** The registration key the Connection was inserted with; undefined without one, or without the Connection. */
  registrationKeyOf(integration: string, userId: string): Promise<string | undefined>;
  /**
   * The Connection of `userId` on `integration`, credentials decrypted; its config is parsed only when something reads
   * it, and a reply can carry it as stored (see storedConfig).
   */
  get(integration: string, userId: string): Promise<NangoConnection | undefined>;
  /**
   * As `get`, or a copy this store object read less than `maxAgeMs` ago if nothing was written through it since: a
   * write by this process is seen at once, one by another process at most `maxAgeMs` late; a missing Connection is
   * never kept. For the proxy (NANGO_PROXY_STALE_MS). The object is shared: read it, never change it.
   */
  getRecent(integration: string, userId: string, maxAgeMs: number): Promise<NangoConnection | undefined>;
  /** Replaces additionalConfig; false when there is no such Connection. */
  updateConfig(integration: string, userId: string, additionalConfig: Record<string, unknown>): Promise<boolean>;
  /** Replaces the credentials (a fresh start: clears a needs-reauthorization mark and a cool-down); false when there is no such Connection. */
  updateCredentials(integration: string, userId: string, credentials: StoredCredentials): Promise<boolean>;
  /** The version of a Connection's credentials, bumped by every write of them; undefined when it is gone. */
  credentialsVersion(uuid: string): Promise<number | undefined>;
  /**
   * Stores refreshed credentials of the Connection `uuid` if its credentials are still at `expectedVersion` (read
   * under the refresh lock), which also clears a needs-reauthorization mark and a cool-down. False when they were
   * written meanwhile (by the app, or by a refresh that took over the lock): the caller re-reads them instead.
   */
  replaceCredentials(uuid: string, credentials: StoredCredentials, expectedVersion: number): Promise<boolean>;
  /**
   * Marks a Connection whose refresh token the provider rejected, with the provider's reason, unless its credentials
   * changed since `expectedVersion` (new ones deserve their own chance). False when they did.
   */
  markNeedsReauthorization(uuid: string, reason: string, expectedVersion: number): Promise<boolean>;
  /** Sets (or clears, with undefined) the time before which no new refresh is tried after a transient failure. */
  setRefreshCooldown(uuid: string, until: number | undefined): Promise<void>;
  /** Epoch ms until which refreshes of `uuid` are paused, if any. */
  refreshCooldown(uuid: string): Promise<number | undefined>;
  /** Every Connection of one user, without credentials, by integration. */
  listByUserId(userId: string): Promise<NangoConnectionPublic[]>;
  /** Every Connection of one integration, without credentials, by user id. */
  listByIntegration(integration: string): Promise<NangoConnectionPublic[]>;
  /** Every Connection, without credentials, by integration then user id. */
  listAll(): Promise<NangoConnectionPublic[]>;
  /** The additionalConfig of one Connection, read without decrypting its credentials. */
  getConfig(integration: string, userId: string): Promise<Record<string, unknown> | undefined>;
  /** The additionalConfig of one Connection as the JSON text stored, for a reply that carries it as it is. */
  configJson(integration: string, userId: string): Promise<string | undefined>;
  /** Deletes a Connection; false when there was none. */
  delete(integration: string, userId: string): Promise<boolean>;
  /** Connections matching every filter given, without credentials. */
  search(filter: ConnectionFilter): Promise<ConnectionListing[]>;
  /**
   * The user ids of an integration's Connections whose config (metadata) has `value` at top-level `key` (numbers
   * compared as their digits), at most `limit`, by user id: how a provider webhook finds its Connections. Reads only
   * that integration's rows (the index on integration), cut at `limit`; a key with `"` or `\` matches nothing.
   */
  userIdsByConfigValue(integration: string, key: string, value: string, limit: number): Promise<string[]>;
  /** The tags and end user of one Connection; undefined when there is none. */
  attributes(integration: string, userId: string): Promise<ConnectionAttributes | undefined>;
  /** Replaces the attributes given (tags as a whole, end user as a whole); false when there is no such Connection. */
  setAttributes(integration: string, userId: string, change: Partial<ConnectionAttributes>): Promise<boolean>;
  /**
   * Sets the additionalConfig of several Connections of one integration to `change(current, userId)`, all or none,
   * in one transaction that no other writer of those rows can interleave with, and only if every user id has a
   * Connection. Returns the user ids without one, [] when all were changed. What `change` throws rolls it all back
   * and is thrown.
   */
  updateConfigs(
    integration: string,
    userIds: readonly string[],
    change: (current: Record<string, unknown>, userId: string) => Record<string, unknown>,
  ): Promise<string[]>;
}

/** Which call an idempotency key belongs to: keys are per integration and user id, so two users cannot collide. */
export interface IdempotencyScope {
  integration: string;
  userId: string;
  key: string;
}

/** What a claim found. */
export type Claim =
  | { kind: 'claimed' } // nobody ran it (or its outcome expired): run it now
  | { kind: 'done'; outcome: StoredOutcome } // answer with this
  | { kind: 'running' } // another run holds the lease: wait
  | { kind: 'abandoned' } // a run started and its worker vanished: the outcome is unknown
  | { kind: 'mismatch' }; // the key was used for another action or input

/**
 * Outcomes of calls with an idempotency key, shared by every worker on the database, so that a crash does not
 * forget that a run had started. A claim is atomic: two workers cannot both win it.
 */
export interface IdempotencyStore {
  /**
   * Takes the key for a run that may last until `leaseUntil`, unless an outcome or a live run exists. `call`
   * fingerprints the action and input the key is used for: a key kept for another one is a `mismatch`.
   */
  claim(scope: IdempotencyScope, call: string, leaseUntil: number, expiresAt: number, now?: number): Promise<Claim>;
  /** Extends the lease of a claimed run that is still going; false when the key is not running any more. */
  renew(scope: IdempotencyScope, leaseUntil: number): Promise<boolean>;
  /** Keeps the outcome of a claimed run until `expiresAt`. */
  complete(scope: IdempotencyScope, outcome: StoredOutcome, expiresAt: number): Promise<void>;
  /** Gives up a claim whose run never started (or whose outcome is not kept); a kept outcome is not touched. */
  release(scope: IdempotencyScope): Promise<void>;
  /** Forgets outcomes past their time; returns how many. */
  prune(now?: number): Promise<number>;
}

/**
 * Leases on Connections, one holder at a time, so that worker processes sharing the database refresh a
 * Connection's OAuth token one at a time. A lease ends when its holder releases it or when its time runs out.
 */
export interface RefreshLocks {
  /** Takes the lock of Connection `uuid` for `owner` until `leaseMs` from now; false when someone else holds a live lease. */
  tryAcquire(uuid: string, owner: string, leaseMs: number, now?: number): Promise<boolean>;
  /** Extends a live lease of `owner`; false when it has none (it ran out, and maybe another holder took the lock). */
  renew(uuid: string, owner: string, leaseMs: number, now?: number): Promise<boolean>;
  /** Gives the lock back, if `owner` still holds it. */
  release(uuid: string, owner: string): Promise<void>;
}

/** Deliveries of requests the broker redelivered, by correlation id: the count survives the crash that caused them. */
export interface DeliveryCounter {
  /** Records one more delivery of a redelivered request; returns how many it has had, the first included. */
  redelivered(id: string, now?: number): Promise<number>;
  /** Forgets counts not bumped since `before`. */
  prune(before: number): Promise<void>;
}

/** The key fingerprint of the database and the key ids its ciphertexts use, for the checks at start and rotate-key. */
export interface KeyRecords {
  /** Id of the key the database's credentials are encrypted with (its fingerprint); undefined before the first start. */
  recordedKeyId(): Promise<string | undefined>;
  /** Records the key the credentials are now encrypted with. */
  recordKeyId(keyId: string): Promise<void>;
  /** Key ids that encrypt at least one Connection. */
  keyIdsInUse(): Promise<string[]>;
  /** How many Connections `reencryptBatch` would still change. */
  countToReencrypt(cipher: CredentialCipher, plaintextOnly: boolean): Promise<number>;
  /**
   * Re-encrypts, with the current key, up to `limit` Connections under another key (or in clear, rows from before
   * encryption; only those with `plaintextOnly`), in one transaction. Returns how many it changed.
   */
  reencryptBatch(cipher: CredentialCipher, plaintextOnly: boolean, limit: number): Promise<number>;
  /** Erases what re-encryption left behind, as far as the database allows (docs/operations.md, Credentials at rest). */
  scrub(): Promise<void>;
}

/** A table's rows as stored (ciphertexts stay ciphertexts), in primary-key order. */
export type StoredRow = Record<string, string | number | null>;

/** Tables copy-store moves, in order; locks and delivery counts are transient and stay behind. */
export const COPIED_TABLES = ['meta', 'connections', 'idempotency', 'integrations', 'records', 'sync_schedules'] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];

/** Reads and writes rows as stored, for `nango-server copy-store`. */
export interface RowCopier {
  /** How many rows `table` holds. */
  count(table: CopiedTable): Promise<number>;
  /** Up to `limit` rows of `table` after the one whose primary key is `after` (all columns), in key order. */
  read(table: CopiedTable, after: StoredRow | undefined, limit: number): Promise<StoredRow[]>;
  /** Writes rows in one transaction, skipping those whose primary key is already there; returns how many it wrote. */
  write(table: CopiedTable, rows: readonly StoredRow[]): Promise<number>;
}
