import type { AuthMode } from '@nangohq/protocol';
import type { ConfigProblem } from '../ConfigError';
import type { Template, TemplatePart } from './types';

/**
 * The credential fields a `${...}` placeholder may name, per auth mode. Narrower than what is stored:
 * `oauth_token_secret` and `refresh_token` only ever sign or refresh, they never travel in a header.
 */
export const CREDENTIAL_FIELDS: Readonly<Partial<Record<AuthMode, readonly string[]>>> = Object.freeze({
  OAUTH2: Object.freeze(['access_token']),
  OAUTH1: Object.freeze(['oauth_token']),
  OAUTH2_CC: Object.freeze(['token']),
  SIGNATURE: Object.freeze(['username']),
  API_KEY: Object.freeze(['api_key']),
  USERNAME_PASSWORD: Object.freeze(['username', 'password']),
  MCP_OAUTH2: Object.freeze(['access_token']),
  MCP_OAUTH2_GENERIC: Object.freeze(['access_token']),
  JWT: Object.freeze(['token', 'access_token']),
  TWO_STEP: Object.freeze(['token']),
});

/**
 * Placeholders read from a field of another name: the catalog's `${accessToken}` (ours `${access_token}`) is a JWT
 * Connection's signed `token`.
 */
const CREDENTIAL_ALIASES: Readonly<Partial<Record<AuthMode, Readonly<Record<string, string>>>>> = Object.freeze({
  JWT: Object.freeze({ access_token: 'token' }),
});

/** `${NAME}` or `${NAME:-default}`: upper case, so it can never be mistaken for a Connection placeholder. */
const ENV_REFERENCE = /^([A-Z][A-Z0-9_]*)(?::-(.*))?$/s;
const CONFIG_PREFIX = 'additionalConfig.';
const CONFIG_KEY = /^[^\s.]+$/;
const BASE_URL_PATH = /^integrations\.[^.]+\.base_url$/;
/** `raw.<field>`: one top-level field of the stored raw credentials (see renderTemplate). */
const RAW_FIELD = /^raw\.[^\s.]+$/;

type Token =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'env'; readonly name: string; readonly fallback: string | undefined }
  | { readonly kind: 'placeholder'; readonly inner: string };

/** What a scan of one string found; problems are messages without a path, the caller knows where it is. */
interface Scan {
  readonly tokens: readonly Token[];
  readonly problems: string[];
}

/**
 * Compiles a string from a place that takes per-Connection placeholders (base_url, headers, query_params).
 * Environment references become literal parts right away; their values are never scanned again, so a secret
 * that happens to contain `${` stays exactly as it is. `Template.source` keeps the text as written, with the
 * references unexpanded, so that printing it can never leak an environment value.
 *
 * Credential placeholders are refused in base_url: a secret in the URL's path would show up wherever the URL
 * does (error messages, logs, proxies), and the headers and query params are where credentials belong.
 *
 * @param options.path where the string was declared, e.g. `integrations.slack.headers.Authorization`
 * @param options.baseUrl whether the string is a base_url. Default: whether `path` is `integrations.<name>.base_url`
 *   (integration names hold no dot, so that path cannot be anything else).
 * @returns the template, and problems (messages without the path) that make it unusable when not empty
 */
export function compileTemplate(
  text: string,
  options: { path: string; authMode: AuthMode; env: NodeJS.ProcessEnv; baseUrl?: boolean },
): { template: Template; problems: string[] } {
  const isBaseUrl = options.baseUrl ?? BASE_URL_PATH.test(options.path);
  const { tokens, problems } = scan(text);
  const parts: TemplatePart[] = [];
  for (const token of tokens) {
    if (token.kind !== 'placeholder') {
      appendText(parts, token.kind === 'text' ? token.text : resolveEnv(token, options.env, problems));
      continue;
    }
    const part = toPlaceholder(token.inner, options.authMode);
    if (!part) problems.push(`unknown placeholder \${${token.inner}}; use ${allowedPlaceholders(options.authMode)}`);
    else if (isBaseUrl && part.kind === 'credential') {
      problems.push(`credential placeholder \${${token.inner}} is not allowed in base_url; put it in headers or query_params`);
    } else parts.push(Object.freeze(part));
  }
  const template: Template = { source: text, path: options.path, parts: Object.freeze(parts) };
  return { template: Object.freeze(template), problems };
}

/**
 * Substitutes environment references in a string. A `${...}` that is not an environment reference is kept as
 * written; it is a problem unless `allowPlaceholders` (base_url, headers and query_params, which are compiled
 * by compileTemplate instead).
 *
 * @returns the substituted value, and problems (messages without the path)
 */
export function substituteEnv(
  text: string,
  env: NodeJS.ProcessEnv,
  options: { allowPlaceholders?: boolean } = {},
): { value: string; problems: string[] } {
  const { tokens, problems } = scan(text);
  let value = '';
  for (const token of tokens) {
    if (token.kind === 'text') value += token.text;
    else if (token.kind === 'env') value += resolveEnv(token, env, problems);
    else {
      if (options.allowPlaceholders !== true) {
        problems.push(
          `placeholder \${${token.inner}} is not allowed here: per-Connection placeholders only go in base_url, ` +
            'headers and query_params; use an UPPER_CASE environment variable',
        );
      }
      value += `\${${token.inner}}`;
    }
  }
  return { value, problems };
}

/**
 * Substitutes environment variables in every string of a parsed YAML document, except where
 * `isTemplatePosition` says per-Connection placeholders are allowed: those strings are left as written for
 * compileTemplate, so a variable's value is never read as a placeholder. Their missing variables are still
 * reported here, so that a mistake elsewhere in an integration (which skips its compilation) cannot hide them.
 *
 * @returns a copy of the document (objects and arrays are new; `__proto__` stays an ordinary key) and the
 *   problems found, with their paths
 */
export function substituteEnvDeep(
  document: unknown,
  env: NodeJS.ProcessEnv,
  isTemplatePosition: (path: readonly string[]) => boolean,
): { value: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const value = substituteIn(document, [], { env, isTemplatePosition, problems, ancestors: new Set() });
  return { value, problems };
}

interface Walk {
  readonly env: NodeJS.ProcessEnv;
  readonly isTemplatePosition: (path: readonly string[]) => boolean;
  readonly problems: ConfigProblem[];
  /** Aliases can make a node contain itself; the walk must not follow such a loop forever. */
  readonly ancestors: Set<object>;
}

function substituteIn(value: unknown, at: string[], walk: Walk): unknown {
  const { env, problems, ancestors } = walk;
  if (typeof value === 'string') {
    const allowPlaceholders = walk.isTemplatePosition(at);
    const substituted = substituteEnv(value, env, { allowPlaceholders });
    problems.push(...substituted.problems.map((message) => ({ path: at, message })));
    return allowPlaceholders ? value : substituted.value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) {
    problems.push({ path: at, message: 'an alias may not refer to a node that contains it' });
    return null;
  }
  ancestors.add(value);
  const next = (key: string, item: unknown): unknown => substituteIn(item, [...at, key], walk);
  // Object.fromEntries defines own properties, so a key named `__proto__` stays a plain key.
  const result = Array.isArray(value)
    ? value.map((item, index) => next(String(index), item))
    : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, next(key, item)]));
  ancestors.delete(value);
  return result;
}

function scan(text: string): Scan {
  const tokens: Token[] = [];
  const problems: string[] = [];
  let position = 0;
  while (position < text.length) {
    const start = text.indexOf('${', position);
    const end = start === -1 ? -1 : text.indexOf('}', start + 2);
    if (start === -1 || end === -1) {
      if (start !== -1) problems.push('unclosed ${: write placeholders as ${name}');
      tokens.push({ kind: 'text', text: text.slice(position) });
      break;
    }
    if (start > position) tokens.push({ kind: 'text', text: text.slice(position, start) });
    tokens.push(toToken(text.slice(start + 2, end)));
    position = end + 1;
  }
  return { tokens, problems };
}

function toToken(inner: string): Token {
  const match = ENV_REFERENCE.exec(inner);
  if (!match) return { kind: 'placeholder', inner };
  return { kind: 'env', name: match[1] ?? '', fallback: match[2] };
}

/** Names the variable when it is missing, never its value: environment values are often secrets. */
function resolveEnv(token: Token & { kind: 'env' }, env: NodeJS.ProcessEnv, problems: string[]): string {
  const value = env[token.name];
  if (token.fallback !== undefined) return value === undefined || value === '' ? token.fallback : value;
  if (value === undefined) {
    problems.push(`environment variable ${token.name} is not set`);
    return '';
  }
  return value;
}

function toPlaceholder(inner: string, authMode: AuthMode): Exclude<TemplatePart, string> | undefined {
  if (inner === 'userId') return { kind: 'userId' };
  if ((CREDENTIAL_FIELDS[authMode] ?? []).includes(inner)) {
    return { kind: 'credential', field: CREDENTIAL_ALIASES[authMode]?.[inner] ?? inner };
  }
  // The 2022 format's `${raw.<field>}`: a top-level field of the provider's raw token response, e.g. a team id.
  if (RAW_FIELD.test(inner)) return { kind: 'credential', field: inner };
  if (!inner.startsWith(CONFIG_PREFIX)) return undefined;
  const path = inner.slice(CONFIG_PREFIX.length).split('.');
  return path.every((key) => CONFIG_KEY.test(key)) ? { kind: 'config', path: Object.freeze(path) } : undefined;
}

function allowedPlaceholders(authMode: AuthMode): string {
  const credentials = (CREDENTIAL_FIELDS[authMode] ?? []).map((field) => `\${${field}}`);
  return `${[...credentials, '${userId}', '${additionalConfig.<key>}'].join(', ')} or an UPPER_CASE environment variable`;
}

/** Adjacent literals are merged so a template without placeholders is a single string part. */
function appendText(parts: TemplatePart[], text: string): void {
  if (text === '') return;
  const last = parts.length - 1;
  const previous = parts[last];
  if (typeof previous === 'string') parts[last] = previous + text;
  else parts.push(text);
}
