import type { Converted2022 } from './Converted2022';

type Mapping = Record<string, unknown>;

/** One integration being converted: its name, its path in the 2022 file, the whole result, and what it became. */
export interface Conversion {
  readonly name: string;
  readonly at: string[];
  readonly result: Converted2022;
  readonly integration: Mapping;
}

/** 2022 placeholders that are ours too, and two spellings its blueprints used. */
const SAME_PLACEHOLDERS: Readonly<Record<string, string>> = Object.freeze({
  access_token: 'access_token',
  accessToken: 'access_token',
  oauth_token: 'oauth_token',
  api_key: 'api_key',
  apiKey: 'api_key',
  username: 'username',
  password: 'password',
});

/** Placeholders the 2022 product filled from the integration's own settings: the setting's text goes in their place. */
const SETTING_PLACEHOLDERS = new Set(['app_api_key', 'oauth_client_id', 'oauth_client_secret']);

/**
 * `requests: { base_url, headers, params }`: the API's base URL, and headers and query params added to every call,
 * over the blueprint's (header names compared without case). Their placeholders become ours.
 */
export function convert2022Requests(requests: unknown, entry: Mapping, conversion: Conversion): void {
  const { integration, result, at } = conversion;
  if (requests === undefined || requests === null) return;
  const here = [...at, 'requests'];
  if (!isMapping(requests)) {
    result.problems.push({ path: here, message: 'must be a mapping of base_url, headers and params' });
    return;
  }
  for (const [key, value] of Object.entries(requests)) {
    if (key === 'base_url') {
      const baseUrl = typeof value === 'string' ? translate(value, [...here, key], entry, conversion) : value;
      if (baseUrl !== undefined) integration['base_url'] = baseUrl;
    } else if (key === 'headers' || key === 'params') {
      const target = key === 'headers' ? 'headers' : 'query_params';
      integration[target] = convertMap(value, [...here, key], entry, conversion, integration[target]);
    } else {
      result.problems.push({ path: [...here, key], message: 'unknown key: requests takes base_url, headers and params' });
    }
  }
}

function convertMap(value: unknown, at: string[], entry: Mapping, conversion: Conversion, previous: unknown): unknown {
  if (value === null || value === undefined) return previous;
  if (!isMapping(value)) return value; // our schema says what it should be
  const merged: Mapping = {};
  const own = new Set(Object.keys(value).map((name) => name.toLowerCase()));
  for (const [name, text] of Object.entries(isMapping(previous) ? previous : {})) {
    if (!own.has(name.toLowerCase())) merged[name] = text;
  }
  for (const [name, text] of Object.entries(value)) {
    const translated = typeof text === 'string' ? translate(text, [...at, name], entry, conversion, name) : text;
    if (translated !== undefined) merged[name] = translated;
  }
  return merged;
}

/**
 * A 2022 string with our placeholders. Undefined: the whole value is what our worker does by itself (an
 * `Authorization: Basic ${basic_auth_encoded}` header), so it is left out.
 */
function translate(text: string, at: string[], entry: Mapping, conversion: Conversion, header?: string): string | undefined {
  const { result } = conversion;
  if (header?.toLowerCase() === 'authorization' && /^Basic \$\{basic_auth_encoded\}$/.test(text.trim())) {
    const message = 'left out: for USERNAME_PASSWORD our worker sends this Basic header itself';
    result.notices.push({ path: at, message });
    return undefined;
  }
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const same = Object.hasOwn(SAME_PLACEHOLDERS, inner) ? SAME_PLACEHOLDERS[inner] : undefined;
    if (same !== undefined) return `\${${same}}`;
    if (SETTING_PLACEHOLDERS.has(inner)) return settingText(inner, entry, at, conversion) ?? whole;
    if (inner === 'basic_auth_encoded') {
      const message = `\${basic_auth_encoded} has no equivalent here; use auth_mode USERNAME_PASSWORD without an Authorization header (the worker sends Basic auth), or \${username} and \${password}`;
      result.problems.push({ path: at, message });
    } else if (inner === 'oauth_token_secret') {
      const message = '${oauth_token_secret} is never sent: the worker signs each OAuth 1.0a request itself; leave this out';
      result.problems.push({ path: at, message });
    }
    return whole; // ours (`${raw.team_id}`, `${additionalConfig.x}`, `${ENV_VAR}`), or reported by our checks
  });
}

/** `${app_api_key}` and the like: the setting as written in the file (an environment reference stays one). */
function settingText(name: string, entry: Mapping, at: string[], { result }: Conversion): string | undefined {
  const value = entry[name];
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  result.problems.push({ path: at, message: `\${${name}} needs ${name} on this integration` });
  return undefined;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
