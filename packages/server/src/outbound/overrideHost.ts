/**
 * Which hosts a proxy `Base-Url-Override` may send a Connection's credentials to. Hosts are compared as WHATWG URL
 * parses them (lowercase; IPv4 written in decimal, hex, octal or short forms as dotted decimal; IPv6 compressed, in
 * brackets), with a trailing dot dropped and an IPv4-mapped IPv6 address taken as its IPv4 one: never as text, which
 * `http://0x7f000001`, `http://[::ffff:127.0.0.1]` or `http://127.0.0.1.` would slip past. No name is resolved.
 */

import { canonicalHost, isLinkLocalOrMetadata } from '../config/hostAddresses';

/** NANGO_PROXY_ALLOWED_HOSTS, parsed. */
export interface HostAllowList {
  /** `*`: any host, but link-local and metadata ones. */
  readonly any: boolean;
  /** Hosts listed as they are, canonical: the only way to allow a link-local or metadata host. */
  readonly exact: ReadonlySet<string>;
  /** `*.example.com` as `.example.com`: any subdomain of it, not the domain itself. */
  readonly suffixes: readonly string[];
}

/** The verdict on one override: allowed, or why not (a sentence naming the host, never the URL's path or query). */
export type OverrideVerdict = { readonly allowed: true } | { readonly allowed: false; readonly why: string };

/** An allow-list entry's host, canonical, or undefined when the entry is not a host name or address alone. */
function entryHost(entry: string): string | undefined {
  const text = `http://${entry}`;
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  // A path, port, user info, query or fragment means it was not a host alone.
  if (url.href !== `http://${url.host}/` || url.port !== '' || url.hostname === '') return undefined;
  const host = canonicalHost(url.hostname);
  // URLs take names like `**` (not a forbidden host character), which name no host.
  return host.startsWith('[') || /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host) ? host : undefined;
}

/** Whether a canonical host is an IP address, which no `*.domain` entry may cover. */
function isIpAddress(host: string): boolean {
  return host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Parses NANGO_PROXY_ALLOWED_HOSTS: `*`, host names or addresses in any form URLs take, and `*.<domain>`. Entries
 * that are none of these are problems, for the settings to report at start.
 */
export function parseAllowList(entries: readonly string[] | undefined): { list: HostAllowList; problems: string[] } {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const problems: string[] = [];
  let any = false;
  for (const entry of entries ?? []) {
    if (entry === '*') {
      any = true;
      continue;
    }
    const wildcard = entry.startsWith('*.');
    const host = entryHost(wildcard ? entry.slice(2) : entry);
    if (host === undefined || (wildcard && isIpAddress(host))) {
      problems.push(`'${entry}' is not a host name or address, *.<domain> or *`);
    } else if (wildcard) {
      suffixes.push(`.${host}`);
    } else {
      exact.add(host);
    }
  }
  return { list: { any, exact, suffixes }, problems };
}

/** A URL's host and port as one key (`host:port`, the scheme's default port written out). */
function hostAndPort(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${canonicalHost(url.hostname)}:${port}`;
}

/**
 * Whether a Base-Url-Override may be used: its host is listed exactly, or (unless it is link-local or a metadata
 * address, which only an exact entry allows) the list says `*`, or a `*.<domain>` covers it, or it is one of `own`
 * (the integration's base URL and its catalog entry's; host and port both, so another service on the same machine is
 * not "own").
 */
export function checkOverrideHost(target: URL, own: readonly URL[], list: HostAllowList): OverrideVerdict {
  const host = canonicalHost(target.hostname);
  if (list.exact.has(host)) return { allowed: true };
  if (isLinkLocalOrMetadata(host)) {
    return {
      allowed: false,
      why: `Base-Url-Override host ${host} is link-local or cloud metadata: only an entry of its own in NANGO_PROXY_ALLOWED_HOSTS allows it`,
    };
  }
  if (list.any) return { allowed: true };
  if (!isIpAddress(host) && list.suffixes.some((suffix) => host.endsWith(suffix))) return { allowed: true };
  const key = hostAndPort(target);
  if (own.some((url) => hostAndPort(url) === key)) return { allowed: true };
  return {
    allowed: false,
    why: `Base-Url-Override host ${key} is not the integration's own (${own.map(hostAndPort).join(', ') || 'none'}) nor allowed by NANGO_PROXY_ALLOWED_HOSTS`,
  };
}
