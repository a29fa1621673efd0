/**
 * The operations log's vocabulary: one operation per thing the server does for a user (a connect flow, a token
 * refresh, an action run, a sync run, a proxy call, a webhook delivery attempt, …), with the messages written on
 * its behalf. Types only: every room that records operations may import this file.
 */

/** What kind of thing an operation is. Low cardinality: metrics use it as a label. */
export type OperationKind =
  /** An OAuth, API-key or basic connect flow, from its start to its callback or failure. */
  | 'connect'
  /** A token refresh (success, or the classified failure). */
  | 'refresh'
  /** A token revocation at the provider when a Connection is deleted. */
  | 'revocation'
  /** A Connection created, changed (credentials, config, metadata, attributes) or deleted, by any door. */
  | 'connection'
  /** An action run (RPC, HTTP, async; each retry is an operation of its own). */
  | 'action'
  /** A sync run, with its added / updated / deleted counts and the checkpoint it reached. */
  | 'sync'
  /** A proxy call. */
  | 'proxy'
  /** One webhook delivery attempt. */
  | 'webhook'
  /** A deployed on-event function's run for a Connection event (`fields.event`: post-connection-creation, …). */
  | 'event';

/** Every kind, for validating filters. */
export const OPERATION_KINDS: readonly OperationKind[] = [
  'connect',
  'refresh',
  'revocation',
  'connection',
  'action',
  'sync',
  'proxy',
  'webhook',
  'event',
];

/** Where an operation is: `running` until it ends one of the other ways. */
export type OperationStatus = 'running' | 'success' | 'failed' | 'cancelled' | 'timed_out';

/** Every status, for validating filters. */
export const OPERATION_STATUSES: readonly OperationStatus[] = ['running', 'success', 'failed', 'cancelled', 'timed_out'];

/** How an operation ended. */
export type OperationEnd = Exclude<OperationStatus, 'running'>;

/** The level of one message. */
export type MessageLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * An operation's own fields: a bounded set of scalars (method, path without query values, HTTP status, retries,
 * time waited on a learned rate limit, record counts, checkpoint, …). Never a credential, a token or a body.
 */
export type OperationFields = Readonly<Record<string, string | number | boolean | null>>;

/** What is known when an operation starts. */
export interface OperationStart {
  readonly kind: OperationKind;
  /**
   * What inside its kind, for people and search: the action or sync name, `oauth2` / `api_key` for a connect,
   * `created` / `updated` / `deleted` for a connection change, `GET /issues` for a proxy call, the webhook type.
   */
  readonly name: string;
  /** The integration (provider config key), when there is one. */
  readonly integration?: string | undefined;
  /** The Connection id (our user id), when there is one. */
  readonly connectionId?: string | undefined;
  /** The Connection's end user id, when known. */
  readonly endUserId?: string | undefined;
  readonly fields?: OperationFields | undefined;
  /** The W3C trace id (32 hex digits) of the span this operation runs in, when tracing is on. */
  readonly traceId?: string | undefined;
  /** The operation this one is part of (an action retry's first attempt, a refresh inside an action run). */
  readonly parentId?: string | undefined;
  /** When it started (epoch ms); now when left out. */
  readonly startedAt?: number | undefined;
  /**
   * Values this operation's messages, fields and error must never show, such as the Connection's credentials (an
   * object, whose string values count, or a list of strings): every text is scrubbed of them, as they are or
   * encoded, before it is kept. Held in memory while the operation runs; never stored.
   */
  readonly secrets?: unknown;
}

/** An error an operation ended with: our error code and a message that holds no secret. */
export interface OperationError {
  readonly code: string;
  readonly message: string;
}

/** An operation as stored and listed. */
export interface OperationRecord {
  /** Sortable: later operations have greater ids (time first, then randomness). */
  readonly id: string;
  readonly kind: OperationKind;
  readonly name: string;
  readonly integration: string | null;
  readonly connectionId: string | null;
  readonly endUserId: string | null;
  readonly status: OperationStatus;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Epoch ms; null while running. */
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly error: OperationError | null;
  readonly fields: OperationFields;
  readonly traceId: string | null;
  readonly parentId: string | null;
}

/** One message of an operation: what a script's logger wrote (already redacted), or what the server did for it. */
export interface OperationMessage {
  readonly operationId: string;
  /** Epoch ms. */
  readonly at: number;
  readonly level: MessageLevel;
  /** At most a few KiB; longer text is cut. Never a credential. */
  readonly text: string;
  readonly fields?: OperationFields | undefined;
}
