/**
 * The catalog walk's view of Nango's entries as the file writes them, read independently of the server's loader, so
 * the mock judges a request by what the catalog says, not by how the server understood it.
 */
import type { RawEntry } from './nangoCatalog';

/** An entry with what its `alias:` chain provides filled in (mappings merged key by key, the entry's own winning). */
export function resolvedEntry(raw: Readonly<Record<string, RawEntry>>, name: string, seen: string[] = []): RawEntry {
  const entry = raw[name] ?? {};
  const alias = entry['alias'];
  if (typeof alias !== 'string' || seen.includes(alias) || raw[alias] === undefined) return entry;
  return merged(resolvedEntry(raw, alias, [...seen, name]), entry);
}

function merged(base: RawEntry, own: RawEntry): RawEntry {
  const result: RawEntry = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const previous = result[key];
    result[key] = isMapping(previous) && isMapping(value) ? merged(previous, value) : value;
  }
  return result;
}

function isMapping(value: unknown): value is RawEntry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The OAuth client the walk gives an entry's integration; the mock knows the secret from the id. */
export function clientIdOf(name: string): string {
  return `client-${name}`;
}

export function clientSecretOf(clientId: string): string {
  return `secret-of-${clientId}`;
}

/** The entry name a client id was made for; undefined for an id the walk never gave out. */
export function entryOfClientId(clientId: string): string | undefined {
  return clientId.startsWith('client-') ? clientId.slice('client-'.length) : undefined;
}

/** How the entry wants client credentials at its token URL: HTTP Basic or in the body. */
export function clientAuthOf(entry: RawEntry): 'basic' | 'body' {
  return entry['authorization_method'] === 'header' || entry['token_request_auth_method'] === 'basic' ? 'basic' : 'body';
}

/** The placeholders `${connectionConfig.<name>}` (or `.params.<name>`) anywhere in the entry, by name. */
export function configPlaceholders(entry: RawEntry): Set<string> {
  const names = new Set<string>();
  const text = JSON.stringify({ ...entry, connection_config: undefined, credentials: undefined });
  for (const match of text.matchAll(/\$\{connectionConfig\.(?:params\.)?([A-Za-z0-9_-]+)\}/g)) names.add(match[1] ?? '');
  return names;
}
