import type { NangoConnectionPublic } from '@nangohq/protocol';
import type { CredentialCipher } from '../encryption/CredentialCipher';
import type { ConnectionAttributes, ConnectionFilter, ConnectionListing, EndUser, StoredOutcome } from './Store';
import type { CachedConfig, ConfigCache } from './ConfigCache';
import { withStoredConfig } from './storedConfig';

/** A row of the connections table, as both stores keep it. */
export interface ConnectionRow {
  uuid: string;
  integration: string;
  user_id: string;
  date_created: string;
  last_modified: string;
  credentials: string;
  additional_config: string;
  auth_status: 'ok' | 'needs_reauthorization';
  auth_error: string | null;
  refresh_failed_until: number | null;
  config_version: number;
}

/** The columns a Connection without credentials is read from. */
export type PublicRow = Omit<ConnectionRow, 'credentials' | 'refresh_failed_until' | 'config_version'>;

/**
 * The columns `ConnectionStore.get` reads, given the placeholders of the uuid and config version the caller holds a
 * config text of: the config only when it is not that one (else NULL), so a large one crosses once per change.
 */
export function getColumns(heldUuid: string, heldVersion: string): string {
  return `uuid, integration, user_id, date_created, last_modified, credentials, auth_status, auth_error, config_version,
    CASE WHEN uuid = ${heldUuid} AND config_version = ${heldVersion} THEN NULL ELSE additional_config END AS additional_config`;
}

/** A row as `ConnectionStore.get` reads it (getColumns). */
export type GetRow = Omit<PublicRow, 'additional_config'> & {
  credentials: string;
  config_version: number;
  additional_config: string | null;
};

/**
 * The config text of a row read with getColumns: its own, which `cache` then keeps, or, when the database left it
 * out, the text `held` (the one whose uuid and version it was asked about).
 */
export function configOfRow(row: GetRow, held: CachedConfig | undefined, cache: ConfigCache): string {
  if (row.additional_config !== null) {
    cache.keep(row.integration, row.user_id, { uuid: row.uuid, version: row.config_version, json: row.additional_config });
    return row.additional_config;
  }
  // NULL only when the row's uuid and version were the ones held: uuids are never empty, as a read without one sends.
  if (held === undefined) throw new Error(`The config of Connection ${row.uuid} was left out of a read that held none`);
  return held.json;
}

export const PUBLIC_COLUMNS =
  'uuid, integration, user_id, date_created, last_modified, additional_config, auth_status, auth_error';

/** A Connection without credentials, from its row; its config is parsed when first read (see withStoredConfig). */
export function toPublic(row: PublicRow): NangoConnectionPublic {
  const fields = {
    uuid: row.uuid,
    integration: row.integration,
    userId: row.user_id,
    dateCreated: row.date_created,
    lastModified: row.last_modified,
    authorization: row.auth_status ?? 'ok',
    ...(row.auth_error ? { authorizationError: row.auth_error } : {}),
  };
  return withStoredConfig(fields, row.additional_config);
}

/** The columns a Connection is listed from by the REST API: the public ones and its attributes. */
export const LISTING_COLUMNS = `${PUBLIC_COLUMNS}, tags, end_user`;

/** The row of a listed Connection. */
export type ListingRow = PublicRow & AttributeRow;

/** The attribute columns of a row (migration 7). */
export interface AttributeRow {
  tags: string | null;
  end_user: string | null;
}

/** Tags and end user from their columns. */
export function toAttributes(row: AttributeRow): ConnectionAttributes {
  return {
    tags: row.tags ? (JSON.parse(row.tags) as Record<string, string>) : {},
    endUser: row.end_user ? (JSON.parse(row.end_user) as EndUser) : null,
  };
}

/** A listed Connection from its row. */
export function toListing(row: ListingRow): ConnectionListing {
  return Object.assign(toPublic(row), toAttributes(row)); // not a spread: that would parse the config now
}

/** The column values that store a change of attributes (only those given). */
export function attributeColumns(change: Partial<ConnectionAttributes>): { column: string; value: string | null }[] {
  const columns: { column: string; value: string | null }[] = [];
  if (change.tags !== undefined) columns.push({ column: 'tags', value: JSON.stringify(change.tags) });
  if (change.endUser !== undefined) {
    columns.push({ column: 'end_user', value: change.endUser ? JSON.stringify(change.endUser) : null });
    columns.push({ column: 'end_user_id', value: change.endUser?.id ?? null });
  }
  return columns;
}

/**
 * Whether a listed Connection passes the filters that both stores apply after the query (those on JSON columns):
 * end user (its id, or the tag `end_user_id`, contract C.5), organization, tags (containment, keys compared
 * lower-cased; `end_user_id`, `end_user_email` and `end_user_display_name` also match the end user's fields) and search (a case-insensitive substring of the connection id or the end user's id, email or name).
 */
export function matchesFilter(listing: ConnectionListing, filter: ConnectionFilter): boolean {
  if (filter.authorization !== undefined && listing.authorization !== filter.authorization) return false;
  const tags = new Map(Object.entries(listing.tags).map(([key, value]) => [key.toLowerCase(), value]));
  if (filter.endUserId !== undefined && listing.endUser?.id !== filter.endUserId && tags.get('end_user_id') !== filter.endUserId)
    return false;
  if (filter.endUserOrganizationId !== undefined && listing.endUser?.organization?.id !== filter.endUserOrganizationId)
    return false;
  // The end user's fields count as the tags the official SDK filters them by (tags[end_user_email] for `email`, ...).
  const fromEndUser = new Map([
    ['end_user_id', listing.endUser?.id],
    ['end_user_email', listing.endUser?.email],
    ['end_user_display_name', listing.endUser?.displayName],
  ]);
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    const name = key.toLowerCase();
    if (tags.get(name) !== value && fromEndUser.get(name) !== value) return false;
  }
  if (filter.search !== undefined && filter.search !== '') {
    const needle = filter.search.toLowerCase();
    const haystack = [listing.userId, listing.endUser?.id, listing.endUser?.email, listing.endUser?.displayName];
    if (!haystack.some((text) => typeof text === 'string' && text.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/**
 * Conditions that narrow a search in SQL before matchesFilter decides, each keeping the rows matchesFilter could take
 * (but for the odd non-ASCII letter whose lower case is ASCII, such as the Kelvin sign): the end user id through its
 * indexed column or a tags text mentioning `end_user_id`, and an ASCII search through the connection id and the end
 * user's JSON. `param(value)` adds a parameter and returns its placeholder; `like` is
 * the dialect's case-insensitive LIKE (ASCII).
 */
export function prefilters(filter: ConnectionFilter, param: (value: string) => string, like: string): string[] {
  const where: string[] = [];
  if (filter.endUserId !== undefined) {
    where.push(`(end_user_id = ${param(filter.endUserId)} OR tags ${like} ${param('%end\\_user\\_id%')} ESCAPE '\\')`);
  }
  // Printable ASCII only: SQL folds the case of ASCII letters alone.
  if (filter.search !== undefined && filter.search !== '' && /^[\x20-\x7e]+$/.test(filter.search)) {
    // JSON escapes `"` and `\` in the end user's text: such a needle is left to matchesFilter alone.
    if (!/["\\]/.test(filter.search)) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(`(user_id ${like} ${param(pattern)} ESCAPE '\\' OR end_user ${like} ${param(pattern)} ESCAPE '\\')`);
    }
  }
  return where;
}

/** The page of `filter` out of matching listings already in order. */
export function pageOf<T>(items: readonly T[], filter: ConnectionFilter): T[] {
  const offset = filter.offset ?? 0;
  return items.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
}

/** The error for a second Connection of the same user on the same integration, worded the same on both stores. */
export function connectionExistsMessage(integration: string, userId: string): string {
  return `A Connection for user '${userId}' on integration '${integration}' already exists; use updateConnectionCredentials or updateConnectionConfig to change it.`;
}

/**
 * What an idempotency outcome's ciphertext is bound to: its key in its scope, so an outcome copied into another
 * key's row does not decrypt. JSON keeps the three parts apart whatever they contain.
 */
function outcomeBinding(integration: string, userId: string, key: string): string {
  return `idempotency:${JSON.stringify([integration, userId, key])}`;
}

/** Encrypts a kept outcome like credentials: results of actions may carry secrets. */
export function sealOutcome(
  cipher: CredentialCipher,
  scope: { integration: string; userId: string; key: string },
  outcome: StoredOutcome,
): string {
  return cipher.seal(JSON.stringify(outcome), outcomeBinding(scope.integration, scope.userId, scope.key)).text;
}

/** Decrypts a kept outcome. @throws WorkerError `storage_error` when it does not authenticate or its key is gone */
export function openOutcome(
  cipher: CredentialCipher,
  scope: { integration: string; userId: string; key: string },
  text: string,
): StoredOutcome {
  return JSON.parse(cipher.open(text, outcomeBinding(scope.integration, scope.userId, scope.key))) as StoredOutcome;
}
