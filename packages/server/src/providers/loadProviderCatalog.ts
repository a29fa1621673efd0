import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../ConfigError';
import { displayPath } from '../displayPath';
import { readPrebuiltData } from '../prebuilt/prebuiltData';
import type { Provider, ProviderCatalog } from './Provider';
import { parsePostConnection } from './postConnectionSteps';
import { validateProvidersShape } from './providerSchema';

/**
 * The catalog shipped with the server package (`packages/server/providers.yaml`; the repository root links to it).
 * Resolved from this module, so it is found from `src/` (tests), `dist/` and wherever the server is started.
 */
export const BUILTIN_PROVIDERS_FILE = path.resolve(__dirname, '..', '..', 'providers.yaml');

type Entry = Record<string, unknown>;

/**
 * Loads the providers catalog once, at start: the built-in providers.yaml, then the user's own file on top (an
 * entry there that names its `auth_mode` or `alias` adds a provider or replaces the built-in one; an entry without
 * either overrides the built-in one field by field, nested mappings such as `proxy` merged key by key), then
 * `alias:` entries resolved to the provider they name.
 * @param options.file the user's catalog (NANGO_PROVIDERS_FILE), in the format of Nango's providers.yaml
 * @throws ConfigError with every problem of both files, each with its file and path
 */
export function loadProviderCatalog(options: { file?: string }): ProviderCatalog {
  const problems: string[] = [];
  const builtin = readBuiltinCatalog(problems);
  const user = options.file === undefined ? {} : readCatalogFile(options.file, problems);

  const merged: Record<string, Entry> = { ...builtin };
  const origin = new Map<string, string>();
  for (const [name, entry] of Object.entries(user)) {
    merged[name] = isWholeEntry(entry) ? entry : deepMerge(builtin[name] ?? {}, entry);
    origin.set(name, displayPath(options.file ?? ''));
  }
  const where = (name: string): string => origin.get(name) ?? displayPath(BUILTIN_PROVIDERS_FILE);
  const catalog = catalogOf(merged, where, problems);
  if (problems.length > 0) throw new ConfigError('providers catalog', problems);
  return catalog;
}

/**
 * A catalog with more providers on top of `base`, merged field by field over an entry of the same name: how the
 * 2022 format's inline `auth:` settings join the catalog for the integrations that declare them.
 * @param source what to call the entries in messages, e.g. `integrations.yaml (2022 format)`
 * @throws ConfigError with every problem of the entries, with their paths
 */
export function extendProviderCatalog(
  base: ProviderCatalog,
  entries: Readonly<Record<string, Entry>>,
  source: string,
): ProviderCatalog {
  const problems = validateProvidersShape(entries).map(
    (problem) => `${source}: ${problem.path.join('.') || '(top level)'}: ${problem.message}`,
  );
  if (problems.length > 0) throw new ConfigError('providers catalog', problems);
  const merged: Record<string, Entry> = Object.fromEntries(base.list().map((provider) => [provider.name, { ...provider }]));
  for (const [name, entry] of Object.entries(entries)) merged[name] = deepMerge(merged[name] ?? {}, entry);
  const catalog = catalogOf(merged, (name) => (Object.hasOwn(entries, name) ? source : 'providers catalog'), problems);
  if (problems.length > 0) throw new ConfigError('providers catalog', problems);
  return catalog;
}

/** Every entry with its alias resolved and its auth mode checked, frozen; problems go to `problems`. */
function catalogOf(entries: Record<string, Entry>, where: (name: string) => string, problems: string[]): ProviderCatalog {
  const providers = new Map<string, Provider>();
  for (const name of Object.keys(entries).sort()) {
    const resolved = resolveAlias(name, entries, [], (message) => problems.push(`${where(name)}: ${message}`));
    if (!resolved) continue;
    if (typeof resolved['auth_mode'] !== 'string') {
      problems.push(`${where(name)}: ${name}.auth_mode is required (here or in the provider it is an alias of)`);
      continue;
    }
    for (const problem of parsePostConnection(resolved['post_connection']).problems) {
      problems.push(`${where(name)}: ${name}.${problem}`);
    }
    providers.set(name, deepFreeze(toProvider(name, resolved)));
  }
  const list = Object.freeze([...providers.values()]);
  return Object.freeze({
    // Own keys only: a name such as `__proto__` or `toString` is just a missing provider.
    get: (name: string) => providers.get(name),
    list: () => list,
  });
}

/** The name of the built-in catalog's data made by `npm run build` (see commands/writePrebuilt.ts). */
export const BUILTIN_CATALOG_DATA = 'providers';

/**
 * The built-in catalog: as `npm run build` parsed and checked it when that was from the same text (saves the YAML
 * parse and the shape check of every start), else parsed and checked now.
 */
function readBuiltinCatalog(problems: string[]): Record<string, Entry> {
  const text = readText(BUILTIN_PROVIDERS_FILE, problems);
  if (text === undefined) return {};
  const built = readPrebuiltData(BUILTIN_CATALOG_DATA, text);
  return built !== undefined ? (built as Record<string, Entry>) : parseCatalogText(BUILTIN_PROVIDERS_FILE, text, problems);
}

/** Parses and shape-checks one file; its problems go to `problems`, one `file: path: message` line each. */
function readCatalogFile(file: string, problems: string[]): Record<string, Entry> {
  const text = readText(file, problems);
  return text === undefined ? {} : parseCatalogText(file, text, problems);
}

function readText(file: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${displayPath(file)}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
}

/** Parses and shape-checks the text of a catalog file; its problems go to `problems`, one `file: path: message` line each. */
export function parseCatalogText(file: string, text: string, problems: string[]): Record<string, Entry> {
  const source = displayPath(file);
  const doc = parseDocument(text, { logLevel: 'error' });
  const syntax = [...doc.errors, ...doc.warnings];
  if (syntax.length > 0) {
    for (const error of syntax) {
      const at = error.linePos?.[0];
      const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      problems.push(at ? `${source}:${at.line}:${at.col}: ${message}` : `${source}: ${message}`);
    }
    return {};
  }
  let parsed: unknown;
  try {
    parsed = doc.toJS();
  } catch (error) {
    problems.push(`${source}: ${(error as Error).message}`); // alias bombs stop here (yaml's maxAliasCount)
    return {};
  }
  const shape = validateProvidersShape(parsed);
  for (const problem of shape) problems.push(`${source}: ${problem.path.join('.') || '(top level)'}: ${problem.message}`);
  if (shape.length > 0 || parsed === null) return {};
  return parsed as Record<string, Entry>;
}

/**
 * Whether a user's entry is a provider of its own rather than an override: it names its auth mode or the provider it
 * is an alias of, as every entry of Nango's catalog does. It then replaces the built-in entry of that name: merged
 * under it, the built-in fields it leaves unset (our `disable_pkce`, a base URL that its alias would give otherwise)
 * would change what the provider does from what its file says.
 */
function isWholeEntry(entry: Entry): boolean {
  return (entry['auth_mode'] ?? null) !== null || (entry['alias'] ?? null) !== null;
}

/** The entry with every field it leaves unset taken from the provider its `alias:` names (recursively). */
function resolveAlias(
  name: string,
  entries: Readonly<Record<string, Entry>>,
  seen: readonly string[],
  report: (message: string) => void,
): Entry | undefined {
  const entry = Object.hasOwn(entries, name) ? entries[name] : undefined;
  if (!entry) return undefined;
  const alias = entry['alias'];
  if (typeof alias !== 'string') return entry;
  if (seen.includes(alias) || alias === name) {
    report(`${seen[0] ?? name}.alias: alias loop ${[...seen, name, alias].join(' -> ')}`);
    return undefined;
  }
  if (!Object.hasOwn(entries, alias)) {
    report(`${seen[0] ?? name}.alias: no provider named ${JSON.stringify(alias)} in the catalog`);
    return undefined;
  }
  const target = resolveAlias(alias, entries, [...seen, name], report);
  return target ? deepMerge(target, entry) : undefined;
}

/** `override` on top of `base`: mappings merged key by key, everything else (lists too) replaced; null keeps base. */
function deepMerge(base: Entry, override: Entry): Entry {
  const result: Entry = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const previous = result[key];
    if (value === null || value === undefined) continue;
    result[key] = isMapping(previous) && isMapping(value) ? deepMerge(previous, value) : value;
  }
  return result;
}

/**
 * Typed view of a validated entry: empty (null) fields dropped, scalar param values as text, the name added; unknown
 * fields kept as written. Two spellings of Nango's current catalog are read into the fields of Provider: a token URL
 * per auth mode (the one of the entry's own mode is kept) and `token_request_auth_method: basic`.
 */
function toProvider(name: string, entry: Entry): Provider {
  const provider: Entry = { ...withoutNulls(entry), name };
  for (const key of ['authorization_params', 'token_params', 'refresh_params', 'request_params']) {
    const params = provider[key];
    if (isMapping(params)) provider[key] = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, asText(v)]));
  }
  const tokenUrl = provider['token_url'];
  if (isMapping(tokenUrl)) {
    // CUSTOM (a GitHub App with OAuth) uses both: its OAuth flow's, and its installations' (kept in token_urls).
    const mode = String(provider['auth_mode']);
    provider['token_urls'] = tokenUrl;
    provider['token_url'] = tokenUrl[mode] ?? (mode === 'CUSTOM' ? tokenUrl['OAUTH2'] : undefined);
  }
  if (provider['token_url'] === undefined) delete provider['token_url'];
  if (provider['authorization_method'] === undefined && provider['token_request_auth_method'] === 'basic') {
    provider['authorization_method'] = 'header';
  }
  return provider as unknown as Provider;
}

function asText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function withoutNulls(entry: Entry): Entry {
  const result: Entry = {};
  for (const [key, value] of Object.entries(entry)) {
    if (value !== null) result[key] = isMapping(value) ? withoutNulls(value) : value;
  }
  return result;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function isMapping(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
