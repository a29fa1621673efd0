import type { HttpMethod, HttpParams, HttpResponse } from './http';

/**
 * How an API pages its lists, in the catalog's `proxy.paginate` format (Nango's providers.yaml):
 * - `cursor`: the response holds the next cursor at `cursor_path_in_response`, sent back as `cursor_name_in_request`;
 * - `link`: the next page's URL is in the `Link` header (`link_rel_in_response_header`, usually `next`) or at
 *   `link_path_in_response_body`;
 * - `offset`: `offset_name_in_request` grows by the page's length (or by 1 with `offset_calculation_method: per-page`).
 * `response_path` says where the page's items are (the body itself when absent); `limit_name_in_request` and `limit`
 * set the page size.
 */
export type PaginateConfig =
  | (PaginateCommon & { type: 'cursor'; cursor_path_in_response: string; cursor_name_in_request: string })
  | (PaginateCommon & { type: 'link'; link_rel_in_response_header?: string; link_path_in_response_body?: string })
  | (PaginateCommon & {
      type: 'offset';
      offset_name_in_request: string;
      offset_start_value?: number;
      offset_calculation_method?: 'by-response-size' | 'per-page';
    });

interface PaginateCommon {
  response_path?: string;
  limit_name_in_request?: string;
  limit?: number;
  /** Where the cursor or offset goes: the query string (default) or a JSON body (POST searches). */
  in_body?: boolean;
}

/** One paged request. */
export interface PaginateRequest {
  endpoint: string;
  method?: HttpMethod | Lowercase<HttpMethod>;
  params?: HttpParams;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Overrides (field by field) the catalog's `proxy.paginate` for this call. */
  paginate?: Partial<PaginateConfig>;
  /** Called with each page's response and where the next page is (undefined after the last), before its items. */
  onPage?: (page: { nextPageParam: string | number | undefined; response: HttpResponse }) => Promise<void> | void;
}

type Fetch = (
  endpoint: string,
  method: string,
  params: HttpParams | undefined,
  body: unknown,
  headers: Record<string, string> | undefined,
) => Promise<HttpResponse>;

/**
 * Yields the items of every page, page by page, until the API says there is no next page (no cursor, no link, an
 * empty or short page). A page that does not come back 2xx throws, naming its status.
 */
export async function* paginate<T>(
  fetch: Fetch,
  request: PaginateRequest,
  defaults: Partial<PaginateConfig> | undefined,
): AsyncGenerator<T[], void, undefined> {
  const config = { ...defaults, ...request.paginate } as PaginateConfig;
  if (config.type !== 'cursor' && config.type !== 'link' && config.type !== 'offset') {
    throw new Error(
      "paginate: no pagination type: give paginate: { type: 'cursor' | 'link' | 'offset', ... } (the provider's catalog entry has no proxy.paginate)",
    );
  }
  const method = request.method ?? 'GET';
  let endpoint = request.endpoint;
  let params: HttpParams = { ...request.params };
  let body = request.body === undefined ? undefined : { ...request.body };
  const set = (name: string, value: string | number) => {
    if (config.in_body) body = { ...body, [name]: value };
    else params = { ...params, [name]: value };
  };
  if (config.limit_name_in_request && config.limit !== undefined) set(config.limit_name_in_request, config.limit);
  let offset = config.type === 'offset' ? (config.offset_start_value ?? 0) : 0;
  if (config.type === 'offset') set(config.offset_name_in_request, offset);
  for (;;) {
    const response = await fetch(endpoint, method, params, body, request.headers);
    if (!response.ok) throw new Error(`paginate: ${method.toUpperCase()} ${endpoint} answered ${response.status}`);
    const items = pick(response.body, config.response_path);
    if (!Array.isArray(items)) {
      throw new Error(`paginate: the response has no list at ${config.response_path ?? 'its top level'} (set response_path)`);
    }
    // Where the next page is: undefined when this one was the last.
    let next: string | number | undefined;
    if (items.length === 0) next = undefined;
    else if (config.type === 'cursor') {
      const cursor = pick(response.body, config.cursor_path_in_response);
      next = cursor === undefined || cursor === null || cursor === '' ? undefined : String(cursor);
    } else if (config.type === 'link') {
      const link = config.link_path_in_response_body
        ? pick(response.body, config.link_path_in_response_body)
        : linkHeader(response.headers['link'], config.link_rel_in_response_header ?? 'next');
      next = typeof link === 'string' && link !== '' ? link : undefined;
    } else if (config.limit === undefined || items.length >= config.limit) {
      next = offset + (config.offset_calculation_method === 'per-page' ? 1 : items.length);
    }
    await request.onPage?.({ nextPageParam: next, response });
    if (items.length === 0) return;
    yield items as T[];
    if (next === undefined) return;
    if (config.type === 'cursor') set(config.cursor_name_in_request, next);
    else if (config.type === 'link') {
      // The next link carries its own query: the first request's params are not repeated.
      endpoint = String(next);
      params = {};
    } else {
      offset = Number(next);
      set(config.offset_name_in_request, offset);
    }
  }
}

/** The value at a dotted path (`data.items`), or the value itself for an empty path. */
function pick(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The URL of `rel` in an RFC 8288 Link header. */
function linkHeader(header: string | undefined, rel: string): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match && new RegExp(`rel="?([^";]*\\s)?${rel}(\\s[^";]*)?"?`, 'i').test(match[2] ?? '')) return match[1];
  }
  return undefined;
}
