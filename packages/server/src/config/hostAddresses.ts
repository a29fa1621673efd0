/**
 * Hosts as WHATWG URL parses them, made canonical, and the addresses no request made for a Connection may reach
 * unless the operator names them: shared by the proxy's Base-Url-Override check (outbound/overrideHost.ts) and the
 * MCP flow's URL rules (oauth/mcp/mcpUrls.ts). No name is resolved.
 */

/** Cloud metadata hosts besides the link-local ranges: AWS's IPv6 endpoint and Google's name. */
const METADATA_HOSTS: ReadonlySet<string> = new Set(['[fd00:ec2::254]', 'metadata.google.internal']);

/**
 * The canonical form of a URL's `hostname`: lowercase, a trailing dot dropped, an IPv4-mapped IPv6 address as its
 * IPv4 one (WHATWG URL has already written IPv4 in dotted decimal and IPv6 compressed, in brackets).
 */
export function canonicalHost(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(host);
  if (!mapped) return host;
  const high = parseInt(mapped[1] as string, 16);
  const low = parseInt(mapped[2] as string, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Whether a canonical host is link-local (169.254.0.0/16, fe80::/10) or a cloud metadata address. */
export function isLinkLocalOrMetadata(host: string): boolean {
  if (METADATA_HOSTS.has(host) || /^169\.254\.\d+\.\d+$/.test(host)) return true;
  const firstGroup = /^\[([0-9a-f]{1,4}):/.exec(host)?.[1];
  return firstGroup !== undefined && (parseInt(firstGroup, 16) & 0xffc0) === 0xfe80;
}
