import { addressRefusal, guardedFetchOptions } from '../../net/addressGuard';
import { inHttpClientSpan } from '../../tracing/inHttpClientSpan';
import { fetchFailure } from '../flow/oauth2';
import { parseJsonObject } from '../../parseJsonObject';

/** Metadata documents and registration answers are small; a larger body is not one. */
export const MAX_METADATA_BYTES = 256 * 1024;

/** One answer of a metadata or registration endpoint: its status, headers and body parsed as a JSON object if it is one. */
export interface MetadataAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The body as a JSON object; undefined when it is not one (or the status is not 2xx and the body is empty). */
  readonly json: Record<string, unknown> | undefined;
}

/**
 * One request to an endpoint an MCP server or its authorization server published. Redirects are not followed (a
 * metadata URL that redirects could lead the server anywhere, past the URL checks), bodies past MAX_METADATA_BYTES
 * are refused, and a network failure or timeout is returned as a reason, never thrown with the request. With `guard`
 * (a URL the user named, or one its server published) the request goes through the address guard
 * (net/addressGuard.ts): the name's addresses are checked after DNS, not only an IP address written in the URL.
 * @returns the answer, or `{ failure }`: what went wrong reaching the endpoint (`ECONNREFUSED`, `no answer within …`)
 */
export async function fetchMetadata(
  url: URL,
  init: {
    method?: 'GET' | 'POST';
    body?: string;
    headers?: Record<string, string>;
    /** Send through the address guard; `allowPrivate` is NANGO_MCP_ALLOW_LOCAL_SERVERS. */
    guard?: { readonly allowPrivate: boolean };
  },
  timeoutMs: number,
): Promise<MetadataAnswer | { failure: string }> {
  const method = init.method ?? 'GET';
  const headers = { accept: 'application/json', ...init.headers };
  try {
    const guard = init.guard ? guardedFetchOptions(url, init.guard.allowPrivate) : {};
    const signal = AbortSignal.timeout(timeoutMs);
    const send = () => fetch(url, { ...guard, method, headers, body: init.body, redirect: 'manual', signal });
    const response = await inHttpClientSpan(method, new URL(url.origin + url.pathname), send, { 'nango.mcp': 'discovery' });
    const text = await boundedText(response);
    if (text === undefined) return { failure: `an answer larger than ${MAX_METADATA_BYTES} bytes` };
    return { status: response.status, headers: response.headers, json: parseJsonObject(text) };
  } catch (error) {
    return { failure: addressRefusal(error)?.message ?? fetchFailure(error, timeoutMs) };
  }
}

/** The body as text, or undefined past MAX_METADATA_BYTES (the rest is not read). */
async function boundedText(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_METADATA_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A URL as messages show it: origin and path, no query (an MCP server URL may carry a key there). */
export function shownUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? (URL.canParse(url) ? new URL(url) : undefined) : url;
  return parsed ? `${parsed.origin}${parsed.pathname}` : '(not a URL)';
}
