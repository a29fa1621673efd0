import { createHash } from 'node:crypto';
import type { CredentialCipher } from '../encryption/CredentialCipher';
import { WorkerError } from '../errors';

/**
 * Records kept by syncs: the third-party data of one Connection, per model and variant. Each is stored with a hash of
 * its payload, so a run can tell added, updated, unchanged and deleted records apart, and with a modification
 * stamp that moves only when it changed. Readers page through a scope in (modification stamp, id) order with an
 * opaque cursor (keyset pagination: a page deep in a million records costs what the first one does).
 *
 * Stamps are microseconds, strictly increasing within a scope (the next save starts past the scope's largest), so
 * a cursor never skips a record written after it: one sync run at a time writes a scope (the sync scheduler's lease
 * guarantees it). Payloads are sealed with the credential cipher, bound to their row, unless the integration
 * opts out. SQLite and PostgreSQL implement it alike.
 */
export interface RecordStore {
  /**
   * Saves records (batchSave / batchUpdate): new ids are ADDED, changed payloads UPDATED, the same payload left alone
   * (but marked as seen by `runId`, for full runs). A deleted record that comes back is ADDED again.
   * @throws WorkerError `storage_error`
   */
  save(scope: RecordScope, records: readonly RecordInput[], options: SaveOptions): Promise<SaveResult>;
  /** Marks records DELETED (batchDelete); ids unknown or already deleted are skipped. Returns how many changed. */
  markDeleted(scope: RecordScope, ids: readonly string[], options: SaveOptions): Promise<number>;
  /**
   * Marks DELETED every live record of the scope that run `runId` did not save (the end of a full run). Returns their
   * ids (a deployed sync's trackDeletesEnd answers them as `deletedKeys`).
   */
  markUnseenDeleted(scope: RecordScope, runId: string, now?: number): Promise<string[]>;
  /** One page of records, oldest change first. @throws WorkerError `invalid_request` for a cursor that is not ours */
  list(scope: RecordScope, query: RecordQuery): Promise<RecordPage>;
  /** Drops the payloads of records up to `untilCursor` (included), keeping their metadata; at most `limit`. */
  prune(scope: RecordScope, untilCursor: string, limit: number, now?: number): Promise<{ count: number; hasMore: boolean }>;
  /** The cursor of the scope's newest change (null when it holds no record): a merging strategy starts from it. */
  lastCursor(scope: RecordScope): Promise<string | null>;
  /** How many records a scope holds, and how many of them are deleted. */
  count(scope: RecordScope): Promise<{ total: number; deleted: number }>;
  /** Deletes every record of a scope (triggerSync with emptyCache). Returns how many. */
  clear(scope: RecordScope): Promise<number>;
  /**
   * Deletes up to `limit` records of `model` (every variant) of the integration's Connections: one bounded batch of
   * the sweep that removes a sync a deployment dropped. Returns how many; fewer than `limit` means none are left.
   */
  deleteIntegrationModel(integration: string, model: string, limit: number): Promise<number>;
  /** Deletes every record of a Connection (when the Connection is deleted). Returns how many. */
  deleteConnection(connection: string): Promise<number>;
  /** Key ids sealing at least one payload: a start refuses a database whose records need a key it lacks. */
  keyIdsInUse(): Promise<string[]>;
  /** For `rotate-key`: re-seals up to `limit` payloads sealed with another key than the current one; returns how many. */
  reencryptBatch(cipher: CredentialCipher, limit: number): Promise<number>;
}

/** Whose records: a Connection (its uuid), a model, a variant (`base` unless the sync has variants). */
export interface RecordScope {
  readonly connection: string;
  readonly model: string;
  readonly variant: string;
}

/** A record as a sync script hands it over: its id (unique within the model) and its payload. */
export interface RecordInput {
  readonly id: string;
  readonly payload: Record<string, unknown>;
}

export interface SaveOptions {
  /** The sync run saving them: a full run marks what it did not see as deleted at its end. */
  readonly runId: string;
  /** Seal payloads with the credential cipher (default), or keep them in clear when the integration opts out. */
  readonly encrypt: boolean;
  /** Epoch ms; tests pin it. */
  readonly now?: number;
}

export interface SaveResult {
  added: number;
  updated: number;
  unchanged: number;
}

export type RecordAction = 'ADDED' | 'UPDATED' | 'DELETED';

/** `listRecords`' options (contract C.3). */
export interface RecordQuery {
  /** Records after this one (a `cursor` of an earlier page or record). */
  readonly cursor?: string;
  /** Records changed after this time (epoch ms). */
  readonly modifiedAfter?: number;
  /** Only records whose last change is one of these. */
  readonly actions?: readonly RecordAction[];
  /** Only these record ids. */
  readonly ids?: readonly string[];
  /** Page size. */
  readonly limit: number;
}

/** A record as read: its payload (null once pruned) and the `_nango_metadata` of contract C.3. */
export interface StoredRecord {
  readonly id: string;
  readonly payload: Record<string, unknown> | null;
  readonly firstSeenAt: number;
  /** Epoch ms of the last change. */
  readonly lastModifiedAt: number;
  readonly lastAction: RecordAction;
  readonly deletedAt: number | null;
  readonly prunedAt: number | null;
  /** Where a reader that has this record goes on from. */
  readonly cursor: string;
}

export interface RecordPage {
  records: StoredRecord[];
  /** The cursor of the next page, or null when this one is the last. */
  nextCursor: string | null;
}

/** Most records one page may hold. */
export const MAX_RECORD_PAGE = 10_000;

/** A row of the `records` table, as both stores read it. */
export interface RecordRow {
  id: string;
  data: string | null;
  key_id: string | null;
  first_seen_at: number;
  modified_at: number;
  last_action: RecordAction;
  deleted_at: number | null;
  pruned_at: number | null;
}

/** The hash that tells a changed payload from an unchanged one: SHA-256 of its JSON with keys sorted. */
export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(stableJson(payload)).digest('base64url');
}

/** JSON with object keys sorted at every level, so equal payloads give equal text whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a payload is sealed to: its row, so a ciphertext moved to another record does not open. */
export function recordBinding(scope: RecordScope, id: string): string {
  return `record:${scope.connection}:${scope.model}:${scope.variant}:${id}`;
}

/** The opaque cursor of a record: its stamp and id. */
export function encodeCursor(stamp: number, id: string): string {
  return Buffer.from(`${stamp}\n${id}`, 'utf8').toString('base64url');
}

/** The stamp and id a cursor holds. @throws WorkerError `invalid_request` for a cursor we did not make */
export function decodeCursor(cursor: string): { stamp: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const newline = text.indexOf('\n');
  const stamp = Number(text.slice(0, newline));
  // Record ids never hold U+0000 (SandboxSyncExecutor refuses them): one that does is not a cursor of ours.
  if (newline <= 0 || !Number.isSafeInteger(stamp) || stamp < 0 || text.includes('\u0000')) {
    throw new WorkerError(
      'invalid_request',
      'cursor is not a cursor this server made: pass next_cursor or a record cursor as given',
    );
  }
  return { stamp, id: text.slice(newline + 1) };
}

/** The first stamp of a save: past both the clock and the scope's largest stamp, so stamps only grow. */
export function firstStamp(now: number, largest: number | null | undefined): number {
  return Math.max(now * 1000, (largest ?? 0) + 1);
}

/** Microsecond stamps as epoch ms. */
export function stampToMs(stamp: number): number {
  return Math.floor(stamp / 1000);
}

/** A record as written: its hash, and its payload sealed for its row (or in clear when the integration opts out). */
export function sealRecord(
  cipher: CredentialCipher,
  scope: RecordScope,
  record: RecordInput,
  encrypt: boolean,
): { id: string; hash: string; data: string; keyId: string | null } {
  const json = JSON.stringify(record.payload);
  const hash = payloadHash(record.payload);
  if (!encrypt) return { id: record.id, hash, data: json, keyId: null };
  const sealed = cipher.seal(json, recordBinding(scope, record.id));
  return { id: record.id, hash, data: sealed.text, keyId: sealed.keyId };
}

/** A stored row as callers read it: its payload opened (null once pruned) and its cursor. */
export function openRecordRow(cipher: CredentialCipher, scope: RecordScope, row: RecordRow): StoredRecord {
  let payload: Record<string, unknown> | null = null;
  if (row.data !== null) {
    const json = row.key_id === null ? row.data : cipher.open(row.data, recordBinding(scope, row.id));
    payload = JSON.parse(json) as Record<string, unknown>;
  }
  return {
    id: row.id,
    payload,
    firstSeenAt: row.first_seen_at,
    lastModifiedAt: stampToMs(row.modified_at),
    lastAction: row.last_action,
    deletedAt: row.deleted_at,
    prunedAt: row.pruned_at,
    cursor: encodeCursor(row.modified_at, row.id),
  };
}
