import type { HttpRequest } from './http';
import { NangoError } from './NangoError';
import type { ListConnectionsLegacyQuery, ListConnectionsQuery } from './types';

/** A path segment, encoded (the official SDK sends ids raw, which breaks on `/`, `?` or `#`). */
export const seg = encodeURIComponent;

/** `?a=1&b=2` (form-encoded), or '' when there is nothing. */
export function queryString(entries: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const query = new URLSearchParams();
  for (const [name, value] of entries) if (value !== undefined && value !== '') query.append(name, String(value));
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** The official SDK's query for the object form of listConnections. */
export function listQuery(query: ListConnectionsQuery): Array<[string, string | number | undefined]> {
  const { connectionId, userId, integrationId, tags = {}, limit, page } = query;
  const tagEntries = Object.entries(tags).map(([key, value]): [string, string] => [
    key === 'displayName'
      ? 'tags[end_user_display_name]'
      : key === 'email'
        ? 'tags[end_user_email]'
        : `tags[${key.toLowerCase()}]`,
    value,
  ]);
  return [
    ['connectionId', connectionId],
    ['endUserId', userId],
    ['integrationId', Array.isArray(integrationId) ? integrationId.join(',') : integrationId],
    ...tagEntries,
    ['limit', limit || undefined],
    ['page', page || undefined],
  ];
}

/** The official SDK's query for the legacy form of listConnections. */
export function legacyListQuery(
  connectionId: string | undefined,
  search: string | undefined,
  queries: ListConnectionsLegacyQuery = {},
): Array<[string, string | number | undefined]> {
  return [
    ['connectionId', connectionId],
    ['search', search],
    ['endUserId', queries.endUserId],
    ['endUserOrganizationId', queries.endUserOrganizationId],
    ['limit', queries.limit || undefined],
    ['page', queries.page || undefined],
  ];
}

/** The official SDK's getConnection request: all four flags always sent. */
export function connectionRequest(key: string, connectionId: string, forceRefresh: boolean, refreshToken: boolean): HttpRequest {
  const query = queryString([
    ['provider_config_key', key],
    ['force_refresh', String(forceRefresh)],
    ['refresh_token', String(refreshToken)],
    ['refresh_github_app_jwt_token', 'false'],
  ]);
  return { method: 'GET', path: `/connections/${seg(connectionId)}${query}`, jsonContentType: true };
}

/** The official SDK's action trigger: ids in headers, `X-Async: true` for an async run. */
export function actionRequest(
  key: string,
  connectionId: string,
  actionName: string,
  input: unknown,
  async: boolean,
): HttpRequest {
  return {
    method: 'POST',
    path: '/action/trigger',
    headers: { 'Connection-Id': connectionId, 'Provider-Config-Key': key, ...(async && { 'X-Async': 'true' }) },
    json: { action_name: actionName, input },
  };
}

/** @throws NangoError `invalid_argument` */
export function requireIds(providerConfigKey: string, connectionId: string | string[]): void {
  if (!providerConfigKey) throw new NangoError({ code: 'invalid_argument', message: 'Provider Config Key is required' });
  if (!connectionId || (Array.isArray(connectionId) && connectionId.length === 0)) {
    throw new NangoError({ code: 'invalid_argument', message: 'Connection Id is required' });
  }
}

/** @throws NangoError `aborted` */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NangoError({ code: 'aborted', message: 'Wait for connection was aborted' });
}

/** Waits `ms`, or rejects with `aborted` as soon as `signal` fires. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new NangoError({ code: 'aborted', message: 'Wait for connection was aborted' }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
