import type { Provider, ProviderCatalog } from '../providers/Provider';
import type { ConfigProblem } from '../ConfigError';
import { modeOfCatalog, notRunMessage, runsAuthMode } from './authModeNames';

/**
 * Catalog placeholders and ours: the catalog (Nango's format) names per-Connection inputs `connectionConfig` (in
 * 2023 `connectionConfig.params`) and credentials in camel case; integrations.yaml names them as the wire does.
 */
const PLACEHOLDER_OF_CATALOG: readonly (readonly [RegExp, string])[] = [
  [/\$\{connectionConfig\.params\./g, '${additionalConfig.'],
  [/\$\{connectionConfig\./g, '${additionalConfig.'],
  [/\$\{accessToken\}/g, '${access_token}'],
  [/\$\{apiKey\}/g, '${api_key}'],
  [/\$\{credentials\.apiKey\}/g, '${api_key}'],
  [/\$\{credentials\.username\}/g, '${username}'],
  [/\$\{credentials\.password\}/g, '${password}'],
];

/**
 * A catalog string in integrations.yaml's placeholder syntax. Nango's `A || B` (A when its per-Connection values
 * are set, else B) has no equivalent here: the last alternative, the provider's general default, is taken.
 */
export function translateCatalogTemplate(text: string): string {
  const alternatives = text.split(' || ');
  let result = alternatives[alternatives.length - 1] ?? text;
  for (const [pattern, replacement] of PLACEHOLDER_OF_CATALOG) result = result.replace(pattern, replacement);
  return result.trim();
}

/** One integration of integrations.yaml before compilation, as far as this step reads and writes it. */
export interface IntegrationFields {
  provider?: string;
  auth_mode?: string;
  base_url?: string;
  headers?: Record<string, string> | null;
  query_params?: Record<string, string> | null;
  oauth?: { token_url?: string; client_auth?: string; scopes?: string[] | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** What applyProvider made of an integration: the fields to compile and the provider behind them. */
export interface AppliedProvider {
  readonly fields: IntegrationFields;
  readonly provider: Provider | undefined;
  /** Keys (as `a.b`) whose value came from the catalog, so a problem there can say where to look. */
  readonly inherited: ReadonlySet<string>;
}

/**
 * Fills an integration from its `provider:` entry of the catalog: what the integration sets wins, field by field
 * (header names compared without case); the rest comes from the catalog with its placeholders translated:
 * auth mode, base URL (`proxy.base_url`), headers (`proxy.headers`), query params (`proxy.query`), and for OAuth
 * the token URL (`refresh_url`, else `token_url`) and how client credentials reach it (`authorization_method`).
 * Without `provider:` the fields are returned as they are.
 * @param catalog the providers catalog, asked for only when the integration names a provider
 * @param problems where an unknown provider or an unusable catalog entry is reported, with its path
 */
export function applyProvider(
  name: string,
  fields: IntegrationFields,
  catalog: () => ProviderCatalog,
  problems: ConfigProblem[],
): AppliedProvider {
  const inherited = new Set<string>();
  // Not a string: the schema has reported it.
  if (typeof fields.provider !== 'string') return { fields, provider: undefined, inherited };
  const at = (...keys: string[]): string[] => ['integrations', name, ...keys];
  const provider = catalog().get(fields.provider);
  if (!provider) {
    const message = `no provider named ${JSON.stringify(fields.provider)} in the providers catalog (providers.yaml and NANGO_PROVIDERS_FILE)`;
    problems.push({ path: at('provider'), message });
    return { fields, provider: undefined, inherited };
  }
  const result: IntegrationFields = { ...fields };
  const inherit = (key: string, value: unknown): void => {
    if (value === undefined) return;
    inherited.add(key);
    if (typeof value === 'string') result[key] = translateCatalogTemplate(value);
    else result[key] = value;
  };

  if (result.auth_mode === undefined) {
    const mode = modeOfCatalog(provider.auth_mode);
    if (mode && runsAuthMode(mode)) inherit('auth_mode', mode);
    else {
      const message = `provider ${provider.name} uses ${notRunMessage(provider.auth_mode)}; set auth_mode`;
      problems.push({ path: at('auth_mode'), message });
    }
  }
  if (result.base_url === undefined) {
    const baseUrl = provider.proxy?.base_url ?? mcpServerOf(provider);
    if (provider.auth_mode === 'MCP_OAUTH2_GENERIC' && baseUrl !== undefined && isWholePlaceholder(baseUrl)) {
      // The MCP server the user names at connect time: each Connection's requests go to the one kept with its token
      // (authModes/mcpOAuth2.ts), not to this template, which only says the URL is per Connection.
      inherit('base_url', baseUrl);
    } else if (baseUrl !== undefined && translateCatalogTemplate(baseUrl).startsWith('${')) {
      // renderTemplate lets a per-Connection value fill only part of a host or path, never the scheme and host.
      const message = `provider ${provider.name}'s proxy.base_url is one per-Connection value; set base_url here, with its scheme and host`;
      problems.push({ path: at('base_url'), message });
    } else inherit('base_url', baseUrl);
  }
  // A TWO_STEP entry's proxy headers are the catalog's own templates (`${base64(…)}`, `${accessToken}`): its auth
  // mode renders them on each request (authModes/twoStep.ts), as it does its token requests.
  if (provider.auth_mode !== 'TWO_STEP') {
    mergeMap(result, 'headers', withoutTokenHeaders(provider), inherited, (key) => key.toLowerCase());
    mergeMap(result, 'query_params', provider.proxy?.query, inherited, (key) => key);
  }
  applyOAuth(result, provider, inherited);
  return { fields: result, provider, inherited };
}

/**
 * Modes whose handler puts the token it fetched or made on each request itself, where the entry's `proxy.headers`
 * name `${accessToken}` (authModes/tokenHeaders.ts): those headers are not the integration's configured headers.
 */
const PUTS_ITS_TOKEN: ReadonlySet<string> = new Set(['OAUTH2_CC', 'SIGNATURE']);

/** The entry's proxy.headers, without those its mode's handler fills with the token. */
function withoutTokenHeaders(provider: Provider): Readonly<Record<string, string>> | undefined {
  const headers = provider.proxy?.headers;
  if (!headers || !PUTS_ITS_TOKEN.has(provider.auth_mode)) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => !String(value).includes('${accessToken}')));
}

/** Catalog entries first, then the integration's, which replace a catalog entry of the same (normalised) name. */
function mergeMap(
  result: IntegrationFields,
  key: 'headers' | 'query_params',
  fromCatalog: Readonly<Record<string, string>> | undefined,
  inherited: Set<string>,
  normalise: (key: string) => string,
): void {
  if (!fromCatalog || Object.keys(fromCatalog).length === 0) return;
  const own = result[key] ?? {};
  const ownNames = new Set(Object.keys(own).map(normalise));
  const merged: Record<string, string> = {};
  for (const [field, value] of Object.entries(fromCatalog)) {
    if (ownNames.has(normalise(field))) continue;
    merged[field] = translateCatalogTemplate(value);
    inherited.add(`${key}.${field}`);
  }
  result[key] = Object.assign(merged, own);
}

/**
 * The MCP server of an MCP entry that names no proxy.base_url (Nango's linear-mcp, mcp-generic): MCP_OAUTH2_GENERIC's
 * is each Connection's; MCP_OAUTH2's is the RFC 8707 resource its authorization asks for, else its token URL's
 * origin (the catalog's MCP servers serve OAuth and MCP from one host).
 */
function mcpServerOf(provider: Provider): string | undefined {
  if (provider.auth_mode === 'MCP_OAUTH2_GENERIC') return '${connectionConfig.mcp_server_url}';
  if (provider.auth_mode !== 'MCP_OAUTH2') return undefined;
  const resource = provider.authorization_params?.['resource'];
  if (resource !== undefined) return resource;
  const tokenUrl = provider.token_url;
  return tokenUrl !== undefined && !tokenUrl.includes('${') && URL.canParse(tokenUrl) ? new URL(tokenUrl).origin : undefined;
}

/** Whether a catalog string is one `${…}` placeholder and nothing else (MCP_OAUTH2_GENERIC's base URL). */
export function isWholePlaceholder(text: string): boolean {
  return /^\$\{[^}]+\}$/.test(translateCatalogTemplate(text));
}

function applyOAuth(result: IntegrationFields, provider: Provider, inherited: Set<string>): void {
  // MCP_OAUTH2 entries name their token URL as OAuth 2 ones do; MCP_OAUTH2_GENERIC ones discover it per Connection.
  // OAUTH2_CC's token URL is where each Connection's token is fetched.
  const oauth2 = provider.auth_mode === 'OAUTH2' || provider.auth_mode === 'MCP_OAUTH2' || provider.auth_mode === 'OAUTH2_CC';
  if (!oauth2 && provider.auth_mode !== 'OAUTH1') return;
  const oauth = { ...(result.oauth ?? {}) };
  // OAuth 1.0a has no refresh: its token_url is the access-token step of the dance, not for the refresher.
  const tokenUrl = oauth2 ? (provider.refresh_url ?? provider.token_url) : undefined;
  if (oauth.token_url === undefined && tokenUrl !== undefined) {
    oauth.token_url = translateCatalogTemplate(tokenUrl);
    inherited.add('oauth.token_url');
  }
  if (oauth.client_auth === undefined && provider.authorization_method === 'header') {
    oauth.client_auth = 'basic';
    inherited.add('oauth.client_auth');
  }
  if (Object.keys(oauth).length > 0 || result.oauth !== undefined) result.oauth = oauth;
}
