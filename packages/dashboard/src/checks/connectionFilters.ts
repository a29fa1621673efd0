/**
 * The Connections list's filters, as they live in the page's address (so a filtered list can be linked): `search`,
 * `integrationId`, `endUserId`, `tag` (`key=value`, as typed), `authorization=needs_reauthorization` and `page`
 * (1-based for people; the API's `page` counts from 0).
 */
export interface ConnectionFilters {
  search: string;
  integrationId: string;
  endUserId: string;
  tag: string;
  needsReauthorization: boolean;
  page: number;
}

export type FilterField = 'search' | 'integrationId' | 'endUserId' | 'tag';
export type FilterErrors = Partial<Record<FilterField, string>>;

/** The route's limits (listConnections.ts): longer input is refused here, before any request. */
export const MAX_SEARCH = 255;
export const MAX_END_USER_ID = 255;
export const MAX_TAG_KEY = 64;
export const MAX_TAG_VALUE = 255;

/** A query string's values, as api.ts's `Query` takes them (this folder imports nothing: see its package.json). */
export type ListQuery = Record<string, string | number | boolean | undefined>;

/** The highest page the API takes (`page` up to 1,000,000, 0-based). */
const MAX_PAGE = 1_000_001;

export function filtersFromQuery(query: Record<string, string | undefined>): ConnectionFilters {
  const page = Number(query['page']);
  return {
    search: query['search'] ?? '',
    integrationId: query['integrationId'] ?? '',
    endUserId: query['endUserId'] ?? '',
    tag: query['tag'] ?? '',
    needsReauthorization: query['authorization'] === 'needs_reauthorization',
    page: Number.isInteger(page) && page >= 1 && page <= MAX_PAGE ? page : 1,
  };
}

/** The address's query of `filters` (empty ones left out, page 1 too). */
export function filtersToQuery(filters: ConnectionFilters): Record<string, string> {
  return {
    search: filters.search,
    integrationId: filters.integrationId,
    endUserId: filters.endUserId,
    tag: filters.tag,
    authorization: filters.needsReauthorization ? 'needs_reauthorization' : '',
    page: filters.page > 1 ? String(filters.page) : '',
  };
}

/** A tag filter typed as `key=value`: its parts, or what is wrong with it. */
export function parseTag(text: string): { key: string; value: string } | { error: string } {
  const at = text.indexOf('=');
  if (at < 0) return { error: 'Write the tag as key=value (for example plan=pro).' };
  const key = text.slice(0, at).trim();
  const value = text.slice(at + 1).trim();
  if (key === '') return { error: 'The tag needs a key before the = (for example plan=pro).' };
  if (value === '') return { error: 'The tag needs a value after the = (for example plan=pro).' };
  if (key.length > MAX_TAG_KEY) return { error: `The tag's key is ${key.length} characters; at most ${MAX_TAG_KEY}.` };
  if (value.length > MAX_TAG_VALUE) return { error: `The tag's value is ${value.length} characters; at most ${MAX_TAG_VALUE}.` };
  return { key, value };
}

/** What is wrong with each filter, by field; empty when the list may be asked for. */
export function checkFilters(filters: ConnectionFilters): FilterErrors {
  const errors: FilterErrors = {};
  if (filters.search.length > MAX_SEARCH) {
    errors.search = `The search is ${filters.search.length} characters; at most ${MAX_SEARCH}.`;
  }
  if (filters.endUserId.trim().length > MAX_END_USER_ID) {
    errors.endUserId = `The end user id is ${filters.endUserId.trim().length} characters; at most ${MAX_END_USER_ID}.`;
  }
  if (filters.tag.trim() !== '') {
    const tag = parseTag(filters.tag);
    if ('error' in tag) errors.tag = tag.error;
  }
  return errors;
}

/** The `GET /connections` query of checked filters: one page of `limit`. */
export function listQuery(filters: ConnectionFilters, limit: number): ListQuery {
  const query: ListQuery = {
    search: filters.search.trim(),
    integrationId: filters.integrationId,
    endUserId: filters.endUserId.trim(),
    limit,
    page: filters.page - 1,
  };
  if (filters.needsReauthorization) query['authorization'] = 'needs_reauthorization';
  if (filters.tag.trim() !== '') {
    const tag = parseTag(filters.tag);
    if (!('error' in tag)) query[`tags[${tag.key}]`] = tag.value;
  }
  return query;
}

/** Where the server's 400 names a filter (its message starts with the parameter), for fieldNamedIn. */
export const FILTER_PLACES: Record<string, FilterField> = {
  'querystring/search': 'search',
  'querystring/integrationId': 'integrationId',
  'querystring/endUserId': 'endUserId',
  'querystring/tags[': 'tag',
};
