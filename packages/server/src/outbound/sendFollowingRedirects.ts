import type { PreparedBody } from './prepareBody';

/** One request of a call: the first, or one a redirect led to. */
export interface Hop {
  readonly method: string;
  readonly url: URL;
  readonly body: PreparedBody | undefined;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Sends `first` and follows redirects by hand, up to 5 hops and only within the same origin, because fetch would
 * follow them anywhere: undici drops Authorization on a cross-origin hop but keeps every other header, so an
 * API key header would reach the other host. A redirect elsewhere, or a sixth one, is returned as it is.
 *
 * @returns the last response and the method it answered, which decides whether it has a body
 */
export async function sendFollowingRedirects(
  first: Hop,
  send: (hop: Hop) => Promise<Response>,
): Promise<{ response: Response; method: string }> {
  let hop = first;
  for (let redirects = 0; ; redirects++) {
    const response = await send(hop);
    const next = redirects < MAX_REDIRECTS ? redirectTarget(response, hop) : undefined;
    if (next === undefined) return { response, method: hop.method };
    await response.body?.cancel();
    hop = next;
  }
}

/** The next hop of a same-origin redirect, with fetch's method rules (303, and 301/302 after POST, become GET). */
function redirectTarget(response: Response, hop: Hop): Hop | undefined {
  const location = response.headers.get('location');
  if (!REDIRECT_STATUSES.has(response.status) || location === null) return undefined;
  const url = URL.canParse(location, hop.url.href) ? new URL(location, hop.url) : undefined;
  if (url === undefined || url.origin !== hop.url.origin) return undefined;
  const { status } = response;
  const toGet = (status === 303 && hop.method !== 'HEAD') || ((status === 301 || status === 302) && hop.method === 'POST');
  return toGet ? { method: 'GET', url, body: undefined } : { method: hop.method, url, body: hop.body };
}
