import type { HttpResponse } from '@nangohq/action';
import type { LocalHttp } from '@nangohq/action/testing';
import { CliError, unreachable, type ClientSettings } from '../ApiClient';

/** A provider call may take as long as the worker allows one (http_timeout_ms defaults to 30 s), and a little more. */
const PROXY_TIMEOUT_MS = 60_000;

/**
 * The `httpRequest` of a dry run: each call goes through the server's `/proxy`, which puts the Connection's
 * credentials, the integration's base_url, headers and query params on it, as the worker does for a run. The
 * provider's reply comes back as the function would get it from the worker: every status resolves (check `ok`).
 * The function's own `Authorization` header is not forwarded: the proxy reads that header as the secret key.
 */
export function proxyHttp(settings: ClientSettings, integration: string, userId: string): LocalHttp {
  return async (endpoint, method, params, body, headers) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(endpoint)) {
      throw new Error(
        `dryrun: httpRequest to an absolute URL (${endpoint.split('?')[0]}) cannot go through the proxy; use a path relative to base_url`,
      );
    }
    const url = new URL(`${settings.host}/proxy/${endpoint.replace(/^\/+/, '')}`);
    for (const [name, value] of Object.entries(params ?? {})) {
      if (value !== null && value !== undefined) url.searchParams.append(name, String(value));
    }
    const sent: Record<string, string> = { ...headers, 'connection-id': userId, 'provider-config-key': integration };
    if (settings.secretKey) sent['authorization'] = `Bearer ${settings.secretKey}`;
    let payload: string | undefined;
    if (body !== undefined && body !== null) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (typeof body !== 'string' && !Object.keys(sent).some((name) => name.toLowerCase() === 'content-type')) {
        sent['content-type'] = 'application/json';
      }
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: method.toUpperCase(),
        headers: sent,
        ...(payload !== undefined && { body: payload }),
        signal: AbortSignal.timeout(PROXY_TIMEOUT_MS),
      });
    } catch (error) {
      if ((error as { name?: unknown }).name === 'TimeoutError') {
        throw new CliError(
          `${method.toUpperCase()} ${endpoint}: no answer through ${settings.host}/proxy within ${PROXY_TIMEOUT_MS / 1000} s`,
        );
      }
      throw unreachable(settings, error);
    }
    return toResponse(method, response);
  };
}

/**
 * Headers the server's API puts on every reply, /proxy's included: they are not the provider's, a function run by the
 * worker never sees them, and a recording should not change with them. The API's X-RateLimit-* hide a provider's of
 * the same names (the provider's win when it sends them).
 */
const SERVER_HEADERS = [
  'x-nango-operation-id',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
];

/** The reply as the worker builds one (body parsed when JSON, `data` the text, `json` parsed whatever the type). */
async function toResponse(method: string, response: Response): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers)
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  for (const name of SERVER_HEADERS) delete headers[name];
  if (headers['vary'] === 'Origin') delete headers['vary'];
  const text = method.toUpperCase() === 'HEAD' ? '' : await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const isJson = /^application\/(.+\+)?json\b/i.test(headers['content-type'] ?? '');
  const { ok, status, statusText } = response;
  return { ok, status, statusText, headers, body: isJson && json !== undefined ? json : text, data: text, json };
}
