import { prepareRequest, sendWithRetries, toProxyResponse, type ProxyConfiguration } from './functionProxy';
import type { HttpMethod, HttpParams } from './http';
import type { NangoAction } from './NangoAction';
import { paginate, type PaginateConfig, type PaginateRequest } from './paginate';

/**
 * Nango's `nango.paginate(config)` on top of our paginate: the same request options as `proxy` (retries included,
 * for each page), `data` as the body a POST search pages in (`paginate.in_body`), and `paginate` overriding the
 * provider's catalog `proxy.paginate` field by field (`limit` may be text; `on_page` is told each page).
 * @param defaults the provider's `proxy.paginate`, read once when the first page is asked for
 */
export async function* paginateFunction<T>(
  action: NangoAction<unknown, unknown>,
  config: ProxyConfiguration,
  defaults: () => Promise<Partial<PaginateConfig> | undefined>,
): AsyncGenerator<T[], undefined, void> {
  const prepared = prepareRequest(action, config, 'nango.paginate');
  const { on_page: onPage, limit, ...overrides } = config.paginate ?? {};
  if (
    prepared.data !== undefined &&
    (typeof prepared.data !== 'object' || prepared.data === null || Array.isArray(prepared.data))
  ) {
    throw new Error('nango.paginate: data must be an object (the body the pages are asked with), or absent');
  }
  if (limit !== undefined && !Number.isFinite(Number(limit))) {
    throw new Error(`nango.paginate: paginate.limit must be a number, got '${String(limit)}'`);
  }
  const request: PaginateRequest = {
    endpoint: prepared.endpoint,
    method: prepared.method,
    ...(prepared.params && { params: prepared.params }),
    ...(prepared.data !== undefined && { body: prepared.data as Record<string, unknown> }),
    ...(prepared.headers && { headers: prepared.headers }),
    paginate: { ...overrides, ...(limit !== undefined && { limit: Number(limit) }) } as Partial<PaginateConfig>,
    ...(onPage && {
      onPage: ({ nextPageParam, response }) => onPage({ nextPageParam, response: toProxyResponse(response, prepared.text) }),
    }),
  };
  const fetch = (
    endpoint: string,
    method: string,
    params: HttpParams | undefined,
    body: unknown,
    headers?: Record<string, string>,
  ) => sendWithRetries(action, { endpoint, method: method as HttpMethod, params, data: body, headers }, config);
  for await (const page of paginate<T>(fetch, request, await defaults())) yield page;
  return undefined;
}
