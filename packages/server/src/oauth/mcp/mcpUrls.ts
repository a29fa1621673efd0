import { isIP } from 'node:net';
import { canonicalHost, isLinkLocalOrMetadata } from '../../config/hostAddresses';
import { isPrivateAddress } from '../../net/addressGuard';

/**
 * Which URLs an MCP OAuth flow may fetch or send a browser to. The MCP server URL comes from the end user
 * (MCP_OAUTH2_GENERIC's `mcp_server_url`) and every other URL from what that server and its authorization server
 * publish, so none of them is trusted as a catalog URL is:
 * - http(s) only (no `javascript:`, `data:`, `file:` …), absolute, no user info (`https://user:pass@…`), no fragment;
 * - https only, unless local servers are allowed (NANGO_MCP_ALLOW_LOCAL_SERVERS, for development and tests);
 * - a host that is `localhost`, or an IP literal that is loopback, private (RFC 1918, fc00::/7), unspecified,
 *   carrier-grade NAT, link-local or a cloud metadata address, is refused unless local servers are allowed; link-local
 *   and metadata addresses always are (a token endpoint there would be a way into the server's own cloud account).
 * Names are judged when they are used: discovery and registration requests go through the address guard
 * (net/addressGuard.ts), which refuses a name whose addresses are refused here (with NANGO_MCP_ALLOW_LOCAL_SERVERS as
 * its setting), and so do the code exchange and refreshes at the token URL discovered (or kept with a Connection).
 */
export interface McpUrlPolicy {
  /** NANGO_MCP_ALLOW_LOCAL_SERVERS: http, localhost and private addresses allowed. */
  readonly allowLocal: boolean;
}

/**
 * `text` as a URL the flow may use, or why not (a sentence that names `what`; the URL itself is named by the caller:
 * these URLs are public metadata, never secrets).
 */
export function checkMcpUrl(text: unknown, what: string, policy: McpUrlPolicy): { url: URL } | { problem: string } {
  if (typeof text !== 'string' || text === '') return { problem: `${what} is missing` };
  if (!URL.canParse(text)) return { problem: `${what} is not an absolute URL` };
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `${what} must be an https URL, not ${url.protocol}` };
  }
  if (url.protocol === 'http:' && !policy.allowLocal) {
    return { problem: `${what} must be https (http is allowed only with NANGO_MCP_ALLOW_LOCAL_SERVERS=true)` };
  }
  if (url.username !== '' || url.password !== '') return { problem: `${what} must not hold a user name or password` };
  if (url.hash !== '') return { problem: `${what} must not have a fragment (#…)` };
  const host = canonicalHost(url.hostname);
  if (isLinkLocalOrMetadata(host)) return { problem: `${what} is a link-local or cloud metadata address` };
  if (!policy.allowLocal && isLocal(host)) {
    return {
      problem: `${what} is a local or private address (allowed only with NANGO_MCP_ALLOW_LOCAL_SERVERS=true)`,
    };
  }
  return { url };
}

/** Whether a canonical host is `localhost` (or under it) or a private IP literal (net/addressGuard.ts's ranges). */
function isLocal(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family === 0) return false;
  return isPrivateAddress(bare, family === 4 ? 'ipv4' : 'ipv6');
}
