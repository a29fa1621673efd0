/**
 * The operations log as stored: one row per operation the server did for a user, its messages beside it, and a
 * full-text index over both (SQLite FTS5, PostgreSQL tsvector + GIN). The vocabulary (kinds, statuses, what a field
 * holds) is operationLog/Operation.ts's; the store keeps whatever it is given, so its types are plain strings.
 *
 * Ids sort by start time (store/operationIds.ts): every list is newest first on the primary key, and a time range is
 * a range of ids.
 */

/** An operation's own fields: scalars only. */
export type StoredFields = Readonly<Record<string, string | number | boolean | null>>;

/** One operation, as written and as read back (the shape of operationLog's OperationRecord). */
export interface StoredOperation {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly integration: string | null;
  readonly connectionId: string | null;
  readonly endUserId: string | null;
  readonly status: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly fields: StoredFields;
  readonly traceId: string | null;
  readonly parentId: string | null;
}

/** One message of an operation. */
export interface StoredMessage {
  readonly operationId: string;
  /** Epoch ms. */
  readonly at: number;
  readonly level: string;
  readonly text: string;
  readonly fields?: StoredFields | undefined;
}

/** A message as read back, with the cursor that pages after it. */
export interface ListedMessage extends StoredMessage {
  readonly cursor: string;
}

/** What one batch of the writer holds: operations to insert or replace whole, and messages to add. */
export interface OperationBatch {
  /** Each operation as it now is; written once even when it started and ended within the batch. */
  readonly operations: readonly StoredOperation[];
  /** Messages of operations of this batch or of earlier ones. */
  readonly messages: readonly StoredMessage[];
}

/** Filters of a listing; every one given must match. */
export interface OperationFilter {
  /** Started at or after (epoch ms). */
  readonly from?: number | undefined;
  /** Started at or before (epoch ms). */
  readonly to?: number | undefined;
  /** Any of these kinds. */
  readonly kinds?: readonly string[] | undefined;
  /** Any of these statuses. */
  readonly statuses?: readonly string[] | undefined;
  readonly integration?: string | undefined;
  readonly connectionId?: string | undefined;
  readonly endUserId?: string | undefined;
  readonly errorCode?: string | undefined;
  /**
   * Words that must all appear in one of the operation's messages, or in its name and error together (whole words,
   * any case; a word ending in `*` is a prefix). Only letters and digits count: other characters separate words.
   */
  readonly text?: string | undefined;
}

/** A page of operations, newest first. */
export interface OperationPage {
  readonly operations: StoredOperation[];
  /** The id to pass as `before` for the next page; null on the last one. */
  readonly next: string | null;
}

/** A page of one operation's messages, oldest first. */
export interface MessagePage {
  readonly messages: ListedMessage[];
  /** The cursor of the next page; null on the last one. */
  readonly next: string | null;
}

/** Time slots of equal length from `start`: the n-th holds operations that started in [start + n·size, start + (n+1)·size). */
export interface TimeSlots {
  /** Epoch ms. */
  readonly start: number;
  /** Ms, at least 1. */
  readonly size: number;
}

/** How many operations of one status started in one slot (only slots and statuses with some are counted). */
export interface SlotCount {
  /** The slot's number, from 0. */
  readonly slot: number;
  readonly status: string;
  readonly count: number;
}

/** How much of the log retention keeps; a limit left out does not apply. */
export interface RetentionLimits {
  /** Operations that started before this (epoch ms) go. */
  readonly before?: number | undefined;
  /** Past this many operations (at least 1), the oldest go. */
  readonly keep?: number | undefined;
}

/**
 * The operations log's tables. Every method turns the database's failures into a WorkerError `storage_error`.
 */
export interface OperationStore {
  /** Writes one batch in one transaction: operations inserted or replaced, messages added and indexed. */
  write(batch: OperationBatch): Promise<void>;
  /** Up to `limit` operations matching `filter`, newest first, older than the operation `before` when given. */
  list(filter: OperationFilter, page: { limit: number; before?: string | undefined }): Promise<OperationPage>;
  /** Up to `limit` operations matching `filter` newer than the operation `after`, oldest first (for the live tail). */
  listAfter(filter: OperationFilter, after: string, limit: number): Promise<StoredOperation[]>;
  /**
   * How many operations matching `filter` started in each slot of `slots`, per status: one grouped query. The filter
   * should start at `slots.start` (earlier operations would count in negative slots).
   */
  countBySlot(filter: OperationFilter, slots: TimeSlots): Promise<SlotCount[]>;
  /** One operation; undefined when there is none (or it was pruned). */
  get(id: string): Promise<StoredOperation | undefined>;
  /** The operations of these ids that exist, in no particular order. */
  getMany(ids: readonly string[]): Promise<StoredOperation[]>;
  /** Up to `limit` messages of an operation, oldest first, after the cursor of a previous page when given. */
  messages(id: string, page: { limit: number; after?: string | undefined }): Promise<MessagePage>;
  /**
   * Takes (or extends) the pruning lease for `owner` until `leaseUntil`, unless another owner holds a live one: one
   * process at a time prunes, whichever it is.
   */
  claimPruning(owner: string, leaseUntil: number, now?: number): Promise<boolean>;
  /** The id under which operations are past `limits` (undefined when no limit applies): read once per pruning round. */
  pruneCutoff(limits: RetentionLimits): Promise<string | undefined>;
  /** Deletes up to `limit` of the oldest operations with ids under `cutoff`, their messages and index entries; how many. */
  prune(cutoff: string, limit: number): Promise<number>;
}
