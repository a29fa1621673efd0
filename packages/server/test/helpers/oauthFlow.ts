/** What an OAuth flow ended with, as the browser would see it: the callback page and the message it posts. */
export interface FlowEnd {
  status: number;
  html: string;
  headers: Headers;
  /** The `{ eventType, data }` message the page posts to window.opener. */
  message: {
    eventType: string;
    data: { providerConfigKey: string; connectionId: string; error?: { type: string; message: string } };
  };
  /** Every URL the "browser" went through, the connect URL first. */
  visited: string[];
}

/**
 * Plays the browser through an OAuth flow without a browser: GETs `startUrl` and follows redirects by hand (so
 * each hop is recorded) until a page is returned, then reads the message the page posts. `rewrite` may change a
 * hop before it is followed (to replay or tamper with a callback).
 */
export async function playFlow(startUrl: string, options: { maxHops?: number } = {}): Promise<FlowEnd> {
  const visited: string[] = [];
  let url = startUrl;
  for (let hop = 0; hop < (options.maxHops ?? 6); hop++) {
    visited.push(url);
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      url = new URL(location, url).toString();
      continue;
    }
    const html = await response.text();
    return { status: response.status, html, headers: response.headers, message: postedMessage(html), visited };
  }
  throw new Error(`more than ${options.maxHops ?? 6} redirects from ${startUrl}`);
}

/** The legacy message a callback page posts, read from its script. */
export function postedMessage(html: string): FlowEnd['message'] {
  const match = /var legacy = (.*);\n/.exec(html);
  if (!match?.[1]) throw new Error(`not a callback page:\n${html.slice(0, 500)}`);
  return JSON.parse(match[1]) as FlowEnd['message'];
}

/** The callback URL a flow went through (the hop to /oauth/callback), to replay it. */
export function callbackHop(end: FlowEnd): string {
  const hop = end.visited.find((url) => url.includes('/oauth/callback'));
  if (!hop) throw new Error(`the flow never reached /oauth/callback: ${end.visited.join(' -> ')}`);
  return hop;
}
