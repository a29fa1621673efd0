import type { ConfigProblem } from '../../ConfigError';
import { BLUEPRINTS_2022 } from './blueprints2022';
import type { Converted2022 } from './Converted2022';
import { convert2022Requests, type Conversion } from './convert2022Requests';

type Mapping = Record<string, unknown>;

/** The 2022 folder's file of defaults, beside its integrations.yaml; problems in it have this as their first key. */
export const NANGO_CONFIG_2022 = 'nango-config.yaml';

/** Keys only the 2022 format has: one of them, or a list of integrations, makes a file a 2022 one. */
const KEYS_2022 = new Set([
  'extends_blueprint',
  'auth',
  'requests',
  'oauth_client_id',
  'oauth_client_secret',
  'oauth_scopes',
  'app_api_key',
  'http_request_timeout_seconds',
  'call_auth',
  'action_log_level',
]);

/** The OAuth settings an inline 2022 `auth:` may give, under the catalog's (identical) names. */
const AUTH_FIELDS = new Set([
  'authorization_url',
  'authorization_params',
  'scope_separator',
  'token_url',
  'token_params',
  'refresh_url',
  'authorization_method',
  'body_format',
  'request_url',
  'request_params',
  'request_http_method',
  'token_http_method',
  'signature_method',
]);

/** Winston's levels, which the 2022 product used, as ours. */
const LOG_LEVELS_2022: Readonly<Record<string, string>> = Object.freeze({
  error: 'error',
  warn: 'warn',
  info: 'info',
  http: 'debug',
  verbose: 'debug',
  debug: 'debug',
  silly: 'trace',
});

/** setTimeout's largest delay: the 2022 format's `0` (no timeout) becomes the longest one we can set. */
const NO_TIMEOUT_MS = 2_147_483_647;

/** One problem or notice as a line: `path: message`, or `nango-config.yaml: key: message` for that other file. */
export function lineOf2022(problem: ConfigProblem): string {
  const [first, ...rest] = problem.path;
  if (first === NANGO_CONFIG_2022) return `${NANGO_CONFIG_2022}: ${rest.join('.') || '(top level)'}: ${problem.message}`;
  return `${problem.path.join('.') || '(top level)'}: ${problem.message}`;
}

/** Whether a parsed integrations.yaml is in the 2022 product's format rather than ours. */
export function is2022Format(parsed: unknown): boolean {
  if (!isMapping(parsed)) return false;
  const integrations = parsed['integrations'];
  // A list of one-key mappings was its first shape; any other list is simply wrong, and our checks say so.
  if (Array.isArray(integrations)) return integrations.length > 0 && integrations.every(isMapping);
  if (!isMapping(integrations)) return false;
  return Object.values(integrations).some((entry) => isMapping(entry) && Object.keys(entry).some((key) => KEYS_2022.has(key)));
}

/**
 * Converts the 2022 product's integrations.yaml (and its nango-config.yaml defaults) to our format, as it is:
 * blueprints resolve to catalog entries, its keys map to ours, its placeholders to ours. Environment references
 * (`${HUBSPOT_CLIENT_SECRET}`) are kept as written, for the loader to substitute as it does in our format.
 */
export function convert2022Config(parsed: unknown, nangoConfig: unknown): Converted2022 {
  const result: Converted2022 = {
    document: { integrations: {} },
    providers: {},
    problems: [],
    notices: [],
    serverLogLevel: undefined,
  };
  const defaults = readNangoConfig(nangoConfig, result);
  for (const [name, entry, at] of listIntegrations(parsed, result)) {
    const conversion: Conversion = { name, at, result, integration: {} };
    convertIntegration(entry, conversion);
    const integration = conversion.integration;
    integration['http_timeout_ms'] ??= defaults.httpTimeoutMs;
    integration['log_level'] ??= defaults.logLevel;
    result.document.integrations[name] = dropUndefined(integration);
  }
  return result;
}

/** `integrations:` as a map (Dec 2022) or a list of one-key maps (earlier), with each entry's path. */
function listIntegrations(parsed: unknown, result: Converted2022): [string, Mapping, string[]][] {
  const integrations = isMapping(parsed) ? parsed['integrations'] : undefined;
  const entries: [string, unknown, string[]][] = [];
  if (Array.isArray(integrations)) {
    integrations.forEach((item: unknown, index) => {
      const keys = isMapping(item) ? Object.keys(item) : [];
      if (keys.length !== 1 || !isMapping(item)) {
        result.problems.push({ path: ['integrations', String(index)], message: 'must be a mapping with one key, the name' });
      } else entries.push([keys[0] ?? '', item[keys[0] ?? ''], ['integrations', keys[0] ?? '']]);
    });
  } else if (isMapping(integrations)) {
    for (const [name, entry] of Object.entries(integrations)) entries.push([name, entry, ['integrations', name]]);
  }
  return entries.flatMap(([name, entry, at]): [string, Mapping, string[]][] => {
    if (isMapping(entry) || entry === null) return [[name, entry ?? {}, at]];
    result.problems.push({ path: at, message: 'must be a mapping' });
    return [];
  });
}

function convertIntegration(entry: Mapping, conversion: Conversion): void {
  const { integration, result, at } = conversion;
  // The 2022 product let configured headers win over the action's own: its files may rely on that.
  integration['header_precedence'] = 'configured';
  const blueprint = readBlueprint(entry['extends_blueprint'], conversion);
  if (blueprint) {
    integration['provider'] = blueprint.provider;
    if (blueprint.baseUrl !== undefined) integration['base_url'] = blueprint.baseUrl;
    if (blueprint.headers) integration['headers'] = { ...blueprint.headers };
  }
  for (const [key, value] of Object.entries(entry)) {
    switch (key) {
      case 'extends_blueprint':
      case 'app_api_key': // used only through ${app_api_key}, filled where it appears
      case 'requests': // after the rest, as it may name the client id, secret and api key
        break;
      case 'auth':
        convertAuth(value, conversion, blueprint?.provider);
        break;
      case 'oauth_client_id':
      case 'oauth_client_secret':
        setOAuth(integration, key.slice('oauth_'.length), scalarText(value, [...at, key], result));
        break;
      case 'oauth_scopes':
        setOAuth(integration, 'scopes', readScopes(value, [...at, key], result));
        break;
      case 'http_request_timeout_seconds':
        integration['http_timeout_ms'] = timeoutMs(value, [...at, key], result);
        break;
      case 'log_level':
      case 'action_log_level':
        integration['log_level'] = logLevel(value, [...at, key], result);
        break;
      case 'auth_mode': // the 2022 product's first format, at the top of an integration
        integration['auth_mode'] = authMode(value);
        break;
      case 'call_auth':
        convertCallAuth(value, conversion);
        break;
      default:
        integration[key] = value; // our own keys (base_url, headers, actions…): checked by our schema
    }
  }
  convert2022Requests(entry['requests'], entry, conversion);
  if (integration['auth_mode'] === undefined && integration['provider'] === undefined) {
    integration['auth_mode'] = 'OAUTH2'; // the 2022 product's only mode before auth modes existed
  }
}

function readBlueprint(value: unknown, { at, result }: Conversion) {
  if (value === undefined || value === null) return undefined;
  const match = typeof value === 'string' ? /^([A-Za-z0-9_-]+):(v\d+)$/.exec(value.trim()) : null;
  const blueprint = match ? BLUEPRINTS_2022[match[1] ?? ''] : undefined;
  if (!blueprint || !Object.hasOwn(BLUEPRINTS_2022, match?.[1] ?? '')) {
    const known = Object.keys(BLUEPRINTS_2022).sort().join(', ');
    const message = `unknown blueprint; write <name>:v0 with a name among ${known}, or use provider: <name> of the providers catalog`;
    result.problems.push({ path: [...at, 'extends_blueprint'], message });
    return undefined;
  }
  return blueprint;
}

/**
 * `auth:` gives OAuth settings the catalog holds for us: they become a provider of their own, on top of the
 * blueprint's if there is one, which the integration then names. API_KEY and USERNAME_PASSWORD need none.
 */
function convertAuth(value: unknown, conversion: Conversion, blueprintProvider: string | undefined): void {
  const { integration, result, at, name } = conversion;
  if (!isMapping(value)) {
    result.problems.push({ path: [...at, 'auth'], message: 'must be a mapping of OAuth settings' });
    return;
  }
  const mode = value['auth_mode'] === undefined ? undefined : authMode(value['auth_mode']);
  if (mode !== undefined) integration['auth_mode'] = mode;
  const settings: Mapping = {};
  for (const [key, field] of Object.entries(value)) {
    if (AUTH_FIELDS.has(key)) settings[key] = field;
    else if (key !== 'auth_mode') {
      const message = 'has no effect here and is ignored: the OAuth settings a provider takes are those of providers.yaml';
      result.notices.push({ path: [...at, 'auth', key], message });
    }
  }
  if (Object.keys(settings).length === 0) return;
  const providerName = `${name}-2022`;
  const base = blueprintProvider === undefined ? { display_name: name } : { alias: blueprintProvider };
  const catalogMode = mode === 'USERNAME_PASSWORD' ? 'BASIC' : mode;
  result.providers[providerName] = { ...base, ...(catalogMode !== undefined && { auth_mode: catalogMode }), ...settings };
  integration['provider'] = providerName;
  const message = `becomes provider ${providerName}; migrate-config writes it out for NANGO_PROVIDERS_FILE`;
  result.notices.push({ path: [...at, 'auth'], message });
}

/** The 2022 product's first format: `call_auth: { mode: AUTH_HEADER_TOKEN }`, a Bearer token, our OAUTH2 default. */
function convertCallAuth(value: unknown, { at, result }: Conversion): void {
  const mode = isMapping(value) ? value['mode'] : undefined;
  if (mode !== 'AUTH_HEADER_TOKEN') {
    const message = 'only mode AUTH_HEADER_TOKEN existed; for another scheme set auth_mode and, if needed, headers';
    result.problems.push({ path: [...at, 'call_auth'], message });
  }
}

function readNangoConfig(config: unknown, result: Converted2022): { httpTimeoutMs?: number; logLevel?: string } {
  if (config === undefined || config === null) return {};
  const at = (key: string): string[] => [NANGO_CONFIG_2022, key];
  if (!isMapping(config)) {
    result.problems.push({ path: [NANGO_CONFIG_2022], message: 'must be a mapping' });
    return {};
  }
  const defaults: { httpTimeoutMs?: number; logLevel?: string } = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'default_http_request_timeout_seconds') defaults.httpTimeoutMs = timeoutMs(value, at(key), result);
    else if (key === 'default_action_log_level') defaults.logLevel = logLevel(value, at(key), result);
    else if (key === 'main_server_log_level') {
      (result as { serverLogLevel: string | undefined }).serverLogLevel = logLevel(value, at(key), result);
    } else if (key.startsWith('oauth_server_')) {
      const message = 'the OAuth server is part of our HTTP server, set by environment variables (see the README); ignored';
      result.notices.push({ path: at(key), message });
    } else result.problems.push({ path: at(key), message: 'unknown key of nango-config.yaml' });
  }
  return defaults;
}

function setOAuth(integration: Mapping, key: string, value: unknown): void {
  if (value === undefined) return;
  const oauth = isMapping(integration['oauth']) ? integration['oauth'] : {};
  integration['oauth'] = { ...oauth, [key]: value };
}

function readScopes(value: unknown, at: string[], result: Converted2022): string[] | undefined {
  if (Array.isArray(value) && value.every((scope) => typeof scope === 'string')) return value as string[];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  result.problems.push({ path: at, message: 'must be a list of scopes' });
  return undefined;
}

/** YAML reads a numeric client id as a number; the 2022 product sent it as text. */
function scalarText(value: unknown, at: string[], result: Converted2022): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  result.problems.push({ path: at, message: 'must be a string' });
  return undefined;
}

function timeoutMs(value: unknown, at: string[], result: Converted2022): number | undefined {
  if (typeof value !== 'number' || !(value >= 0)) {
    result.problems.push({ path: at, message: 'must be a number of seconds, 0 or more' });
    return undefined;
  }
  if (value === 0)
    result.notices.push({ path: at, message: '0 (no timeout) becomes the longest timeout we can set, about 24.8 days' });
  return value === 0 ? NO_TIMEOUT_MS : Math.max(1, Math.round(value * 1000));
}

function logLevel(value: unknown, at: string[], result: Converted2022): string | undefined {
  const level = typeof value === 'string' ? LOG_LEVELS_2022[value.toLowerCase()] : undefined;
  if (level === undefined) {
    result.problems.push({ path: at, message: `must be one of ${Object.keys(LOG_LEVELS_2022).join(', ')}` });
  }
  return level;
}

/** `OAuth` (its first format) is OAUTH2; otherwise the 2022 modes are ours, written the same. */
function authMode(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.toLowerCase() === 'oauth' ? 'OAUTH2' : value.toUpperCase();
}

function dropUndefined(mapping: Mapping): Mapping {
  return Object.fromEntries(Object.entries(mapping).filter(([, value]) => value !== undefined));
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
