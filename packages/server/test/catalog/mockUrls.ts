/**
 * How the catalog walk points a catalog entry's URLs at its one local mock, and how the mock reads them back.
 *
 * A URL keeps its host, placeholders and all, so the server's checks of where a per-Connection value may stand see
 * what they would see with the real catalog: `https://${connectionConfig.subdomain}.zendesk.com/oauth/tokens`
 * becomes `http://${connectionConfig.subdomain}.zendesk.com:<port>/_mock/zendesk/token_url/oauth/tokens`. Every
 * host name resolves to 127.0.0.1 during the walk (loopbackDns.ts), so the request reaches the mock, which reads
 * from the path which entry wrote the URL (its owner: an alias's provider, for an alias) and which of its URLs it
 * is (its role), then the entry's own path.
 */

/** The first path segment of every rewritten URL. */
export const MOCK_PREFIX = '_mock';

/** What a request to the mock was sent to, read from its path. */
export interface MockTarget {
  /** The catalog entry whose URL it is. */
  readonly owner: string;
  /** The entry's key the URL was under: `authorization_url`, `token_url`, `base_url`, … */
  readonly role: string;
  /** The entry's own path (and nothing of the query), starting with `/`. */
  readonly rest: string;
}

/** Keys ending in `_url` that are links for people, never called. */
const DOC_KEYS: ReadonlySet<string> = new Set(['docs', 'docs_connect', 'setup_guide_url']);

/** Subtrees that describe input fields (whose names may end in `_url`), not URLs. */
const FIELD_KEYS: ReadonlySet<string> = new Set(['connection_config', 'credentials', 'integration_config']);

/** Whether a key of an entry (at any depth) holds a URL the server may call. */
export function isCalledUrlKey(key: string): boolean {
  return (key.endsWith('_url') || key === 'base_url_override') && !DOC_KEYS.has(key);
}

/**
 * The entry with each URL the server may call rewritten for the mock on `port` (see the module comment); every
 * other field as it was. A URL that begins with a placeholder (`${connectionConfig.instance_url}/…`) cannot be
 * pointed anywhere and is kept as written: the server meets it as it would in the real catalog.
 */
export function mockedEntry(name: string, entry: Record<string, unknown>, port: number): Record<string, unknown> {
  const rewrite = (value: unknown, key: string, role: string): unknown => {
    if (typeof value === 'string') return isCalledUrlKey(role) ? mockedUrl(value, name, role, port) : value;
    if (Array.isArray(value)) return value.map((item) => rewrite(item, key, role));
    if (typeof value !== 'object' || value === null || FIELD_KEYS.has(key)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([child, inner]) => [child, rewrite(inner, child, isCalledUrlKey(child) ? child : role)]),
    );
  };
  return rewrite(entry, '', '') as Record<string, unknown>;
}

/** One URL (or Nango's `A || B` alternatives) pointed at the mock. */
export function mockedUrl(url: string, owner: string, role: string, port: number): string {
  return url
    .split(' || ')
    .map((alternative) => {
      const parts = /^(\s*)https?:\/\/([^/?#]*)(.*)$/s.exec(alternative);
      if (!parts) return alternative;
      const [, space = '', authority = '', rest = ''] = parts;
      const host = authority.replace(/^[^@]*@/, '').replace(/:(\d+|\$\{[^}]*\})$/, '');
      const path = rest.startsWith('/') ? rest : `/${rest}`;
      return `${space}http://${host}:${port}/${MOCK_PREFIX}/${owner}/${role}${path === '/' ? '' : path}`;
    })
    .join(' || ');
}

/** Where a request to the mock was sent; undefined for a path the walk never wrote. */
export function mockTargetOf(pathname: string): MockTarget | undefined {
  const match = new RegExp(`^/${MOCK_PREFIX}/([^/]+)/([^/]+)(/.*)?$`).exec(pathname);
  if (!match) return undefined;
  return { owner: match[1] ?? '', role: match[2] ?? '', rest: match[3] ?? '/' };
}

/**
 * The entry each host stands for, where only one entry's called URLs name it (hosts with placeholders left out). The
 * server may call such a host at a path the walk never wrote: an MCP_OAUTH2 entry with no proxy.base_url (Nango's
 * linear-mcp) is proxied to its token URL's origin, which the rewriting leaves without the mock's path. The mock
 * reads such a request as that entry's API at its root (mockTargetAt).
 */
export function soleHostOwners(entries: Readonly<Record<string, Record<string, unknown>>>): Map<string, string> {
  const owners = new Map<string, string | null>();
  for (const [name, entry] of Object.entries(entries)) {
    for (const host of new Set(calledHostsOf(entry, ''))) owners.set(host, owners.has(host) ? null : name);
  }
  return new Map([...owners].flatMap(([host, owner]) => (owner === null ? [] : [[host, owner] as [string, string]])));
}

/** The hosts of the URLs the server may call in `value` (an entry, or part of one under `role`). */
function calledHostsOf(value: unknown, role: string, key = ''): string[] {
  if (typeof value === 'string') {
    if (!isCalledUrlKey(role)) return [];
    return value.split(' || ').flatMap((alternative) => {
      const host = /^\s*https?:\/\/(?:[^@/?#]*@)?([^/?#:]+)/.exec(alternative)?.[1];
      return host === undefined || host.includes('${') ? [] : [host.toLowerCase()];
    });
  }
  if (Array.isArray(value)) return value.flatMap((item) => calledHostsOf(item, role, key));
  if (typeof value !== 'object' || value === null || FIELD_KEYS.has(key)) return [];
  return Object.entries(value).flatMap(([child, inner]) => calledHostsOf(inner, isCalledUrlKey(child) ? child : role, child));
}

/**
 * Where a request to the mock was sent: the path the walk wrote, else (on a host only one entry names, see
 * soleHostOwners) that entry's API; undefined for neither.
 */
export function mockTargetAt(
  hostname: string,
  pathname: string,
  hostOwners: ReadonlyMap<string, string>,
): MockTarget | undefined {
  const written = mockTargetOf(pathname);
  if (written !== undefined) return written;
  const owner = hostOwners.get(hostname.toLowerCase());
  return owner === undefined ? undefined : { owner, role: 'base_url', rest: pathname };
}
