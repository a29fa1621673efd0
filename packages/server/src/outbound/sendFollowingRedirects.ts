import type { PreparedBody } from './prepareBody';

/** One request of a call: the first, or one a redirect led to. */
export interface Hop {
  readonly method: string;
  readonly url: URL;
  readonly body: PreparedBody | undefined;
}

/** What the redirect loop reads of a response: fetch's Response has it, and so does the proxy's undici reply. */
export interface HopResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** Cancelled when the response is a redirect that is followed. */
  readonly body: { cancel(): Promise<void> } | null;
}

/** How the loop may follow. */
export interface RedirectOptions {
  /**
   * False when the first hop's body is a stream that cannot be sent twice: a redirect that would resend it (307,
   * 308, or 301/302 after a method other than POST) is then returned as it is. Default: true.
   */
  readonly bodyReplayable?: boolean;
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
export async function sendFollowingRedirects<R extends HopResponse>(
  first: Hop,
  send: (hop: Hop) => Promise<R>,
  options: RedirectOptions = {},
): Promise<{ response: R; method: string }> {
  let hop = first;
  for (let redirects = 0; ; redirects++) {
    const response = await send(hop);
    const next = redirects < MAX_REDIRECTS ? redirectTarget(response, hop) : undefined;
    if (next === undefined || (next.body !== undefined && options.bodyReplayable === false)) {
      return { response, method: hop.method };
    }
    await response.body?.cancel();
    hop = next;
  }
}

/** The next hop of a same-origin redirect, with fetch's method rules (303, and 301/302 after POST, become GET). */
function redirectTarget(response: HopResponse, hop: Hop): Hop | undefined {
  const location = response.headers.get('location');
  if (!REDIRECT_STATUSES.has(response.status) || location === null) return undefined;
  const url = URL.canParse(location, hop.url.href) ? new URL(location, hop.url) : undefined;
  if (url === undefined || url.origin !== hop.url.origin) return undefined;
  const { status } = response;
  const toGet = (status === 303 && hop.method !== 'HEAD') || ((status === 301 || status === 302) && hop.method === 'POST');
  return toGet ? { method: 'GET', url, body: undefined } : { method: hop.method, url, body: hop.body };
}
