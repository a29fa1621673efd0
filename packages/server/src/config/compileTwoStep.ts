import { ConfigError, type ConfigProblem } from '../ConfigError';
import type { Provider, ProviderCatalog } from '../providers/Provider';
import { CatalogTemplateError, isCatalogTemplate, namesOf, parseCatalogTemplate, type CatalogTemplate } from './catalogTemplate';

/** A value of a token request's params: text, a template, or (a JSON body's) nested object, as the catalog writes it. */
export type TwoStepValue =
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'template'; readonly template: CatalogTemplate }
  | { readonly kind: 'object'; readonly fields: readonly (readonly [string, TwoStepValue])[] };

/** One HTTP request of a two-step token exchange. */
export interface TwoStepRequest {
  /** Where the catalog declares it, e.g. `additional_steps.0`, for messages. */
  readonly at: string;
  readonly url: CatalogTemplate;
  /** `token_request_method`. Default: POST. */
  readonly method: 'GET' | 'POST';
  /** `body_format`. Default: json. A GET sends its params in the query instead. */
  readonly bodyFormat: 'form' | 'json';
  /** `token_params` (absent: no body). */
  readonly params: TwoStepValue | undefined;
  /** `token_headers`, in declaration order. */
  readonly headers: readonly (readonly [string, CatalogTemplate])[];
}

/** The JWT a TWO_STEP entry with `signature: { protocol: RSA }` signs, and its token request reads as `${token}`. */
export interface TwoStepJwt {
  readonly signingKey: CatalogTemplate;
  readonly header: readonly (readonly [string, CatalogTemplate])[];
  readonly payload: readonly (readonly [string, CatalogTemplate])[];
  /** `token.expires_in_ms`: the JWT's life. */
  readonly expiresInMs: number;
}

/**
 * A TWO_STEP catalog entry, compiled: the requests that get a token from what the user gave, where the token and its
 * expiry are in the last answer, and how requests to the API carry it.
 */
export interface TwoStepSettings {
  /** `token_url`, `token_params`, `token_headers`, then each of `additional_steps`: the N-th answer is `${stepN}`. */
  readonly steps: readonly TwoStepRequest[];
  /** The request made instead when the Connection holds a refresh token and the entry says how to spend it. */
  readonly refresh: TwoStepRequest | undefined;
  readonly jwt: TwoStepJwt | undefined;
  /** `token_response.token`: a dotted path in the last answer; '' when the answer's whole body is the token. */
  readonly tokenPath: string;
  /** `token_response.token_expiration` and its strategy (`expireIn`, seconds from now, by default). */
  readonly expiration: { readonly path: string; readonly strategy: 'expireIn' | 'expireAt' } | undefined;
  readonly refreshTokenPath: string | undefined;
  /** `token_expires_in_ms` when above 0: the token's life when the answer says none. */
  readonly lifetimeMs: number | undefined;
  /** `token_expiration_buffer` (seconds) in ms: fetch the token again this long before it expires. */
  readonly bufferMs: number | undefined;
  /** `proxy.headers`: put on every request to the API. Without one naming `${accessToken}`, `Bearer <token>` is. */
  readonly proxyHeaders: readonly (readonly [string, CatalogTemplate])[];
}

/** The names a TWO_STEP template may read: the rest are typing mistakes, refused at load. */
const ROOTS = new Set(['credentials', 'connectionConfig', 'accessToken', 'refresh_token', 'token', 'random', 'endpoint']);
const STEP = /^step(\d+)$/;

/**
 * Every TWO_STEP entry's templates, read: what the reader cannot read, one `<entry>.<field>: <why>` each. Called when
 * the catalog is loaded, so a catalog with an unreadable template is refused at start, naming the entry and field.
 */
export function twoStepTemplateProblems(catalog: ProviderCatalog): string[] {
  const problems: string[] = [];
  for (const provider of catalog.list()) {
    if (provider.auth_mode !== 'TWO_STEP') continue;
    for (const problem of compileTwoStep(provider).problems) {
      if (problem.kind === 'template') problems.push(`${provider.name}.${problem.message}`);
    }
  }
  return problems;
}

/**
 * Refuses a catalog with an unreadable TWO_STEP template (see twoStepTemplateProblems), when it is loaded.
 * @throws ConfigError listing each, with its entry and field
 */
export function checkCatalogTemplates(catalog: ProviderCatalog): ProviderCatalog {
  const problems = twoStepTemplateProblems(catalog);
  if (problems.length > 0) throw new ConfigError('providers catalog', problems);
  return catalog;
}

/** What compileTwoStep found: `template` problems (an unreadable string), `unsupported` ones (a feature not run). */
export interface TwoStepProblem {
  readonly kind: 'template' | 'unsupported';
  /** `<field path>: <why>`, without the entry's name. */
  readonly message: string;
}

/**
 * A TWO_STEP entry's settings; undefined when it has problems (an unreadable template, or what this server does not
 * run: a per-request signed `assertion`, an XML body, cookies from `token_response_headers`).
 */
export function compileTwoStep(provider: Provider): { settings: TwoStepSettings | undefined; problems: TwoStepProblem[] } {
  const entry = provider as unknown as Record<string, unknown>;
  const problems: TwoStepProblem[] = [];
  const template = (text: unknown, at: string): CatalogTemplate => {
    const source = typeof text === 'string' ? text : String(text ?? '');
    try {
      const parsed = parseCatalogTemplate(source);
      for (const name of namesOf(parsed)) {
        const root = name.split('.')[0] ?? '';
        const step = STEP.exec(root);
        if (step ? Number(step[1]) < 1 : !ROOTS.has(root)) {
          problems.push({ kind: 'template', message: `${at}: \${${name}} is not a value a two-step request has` });
        }
      }
      return parsed;
    } catch (error) {
      if (!(error instanceof CatalogTemplateError)) throw error;
      problems.push({ kind: 'template', message: `${at}: ${error.message}` });
      return parseCatalogTemplate('');
    }
  };
  const unsupported = (message: string): void => void problems.push({ kind: 'unsupported', message });

  if (entry['assertion'] !== undefined) unsupported('assertion: a client assertion signed for each request is not run');
  if (entry['token_response_headers'] !== undefined) unsupported('token_response_headers: cookies of the answer are not kept');
  const request = (from: Record<string, unknown>, at: string) => compileRequest(from, at, template, unsupported);
  const steps = [request(entry, '')];
  const additional = entry['additional_steps'];
  if (Array.isArray(additional)) {
    additional.forEach((step, index) => steps.push(request(asRecord(step), `additional_steps.${index}.`)));
  }
  const refresh = ['refresh_url', 'refresh_token_params', 'refresh_token_headers'].some((key) => entry[key] !== undefined)
    ? request(
        {
          token_url: entry['refresh_url'] ?? entry['token_url'],
          token_params: entry['refresh_token_params'] ?? entry['token_params'],
          token_headers: entry['refresh_token_headers'] ?? entry['token_headers'],
          body_format: entry['body_format'],
        },
        'refresh_',
      )
    : undefined;
  const response = asRecord(entry['token_response']);
  const tokenPath = typeof response['token'] === 'string' ? response['token'] : undefined;
  if (tokenPath === undefined) unsupported('token_response.token: where the answer holds the token is not said');
  const expirationPath = response['token_expiration'];
  const strategy = response['token_expiration_strategy'] === 'expireAt' ? 'expireAt' : 'expireIn';
  const lifetime = entry['token_expires_in_ms'];
  const buffer = entry['token_expiration_buffer'];
  const proxy = asRecord(entry['proxy']);
  if (proxy['query'] !== undefined) unsupported('proxy.query: query parameters made from the token are not sent');
  const settings: TwoStepSettings = {
    steps,
    refresh,
    jwt: compileJwt(entry, template, unsupported),
    tokenPath: tokenPath ?? '',
    expiration: typeof expirationPath === 'string' ? { path: expirationPath, strategy } : undefined,
    refreshTokenPath: typeof response['refresh_token'] === 'string' ? response['refresh_token'] : undefined,
    lifetimeMs: typeof lifetime === 'number' && lifetime > 0 ? lifetime : undefined,
    bufferMs: typeof buffer === 'number' && buffer >= 0 ? buffer * 1000 : undefined,
    proxyHeaders: templates(proxy['headers'], 'proxy.headers', template),
  };
  return { settings: problems.length === 0 ? deepFreeze(settings) : undefined, problems };
}

type Read = (text: unknown, at: string) => CatalogTemplate;

function compileRequest(
  from: Record<string, unknown>,
  at: string,
  template: Read,
  unsupported: (message: string) => void,
): TwoStepRequest {
  const format = from['body_format'] ?? 'json';
  if (format !== 'json' && format !== 'form') unsupported(`${at}body_format: ${String(format)} bodies are not sent`);
  const params = from['token_params'];
  return {
    at: at === '' ? 'token_url' : `${at}token_url`,
    url: template(from['token_url'], `${at}token_url`),
    method: from['token_request_method'] === 'GET' ? 'GET' : 'POST',
    bodyFormat: format === 'form' ? 'form' : 'json',
    params: params === undefined ? undefined : compileValue(params, `${at}token_params`, template),
    headers: templates(from['token_headers'], `${at}token_headers`, template),
  };
}

function compileValue(value: unknown, at: string, template: Read): TwoStepValue {
  if (typeof value === 'string') {
    return isCatalogTemplate(value) ? { kind: 'template', template: template(value, at) } : { kind: 'literal', value };
  }
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'literal', value };
  const fields = Object.entries(asRecord(value)).map(
    ([key, item]) => [key, compileValue(item, `${at}.${key}`, template)] as const,
  );
  return { kind: 'object', fields };
}

function compileJwt(
  entry: Record<string, unknown>,
  template: Read,
  unsupported: (message: string) => void,
): TwoStepJwt | undefined {
  const token = entry['token'];
  if (token === undefined) return undefined;
  const jwt = asRecord(token);
  const header = asRecord(jwt['header']);
  if (typeof header['alg'] !== 'string' || !/^(RS|PS|ES)(256|384|512)$/.test(header['alg'])) {
    unsupported(`token.header.alg: ${String(header['alg'])} JWTs are not signed (RS*, PS* and ES* are)`);
  }
  return {
    signingKey: template(jwt['signing_key'], 'token.signing_key'),
    header: templates(header, 'token.header', template),
    payload: templates(jwt['payload'], 'token.payload', template),
    expiresInMs: typeof jwt['expires_in_ms'] === 'number' ? jwt['expires_in_ms'] : 3_600_000,
  };
}

function templates(mapping: unknown, at: string, template: Read): (readonly [string, CatalogTemplate])[] {
  return Object.entries(asRecord(mapping)).map(([key, value]) => [key, template(value, `${at}.${key}`)] as const);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The two-step settings of an integration: compiled from its catalog entry for TWO_STEP (which needs one: nothing
 * else says how its token is fetched), none for other modes. Problems name the entry's field.
 */
export function twoStepSettingsOf(
  authMode: string,
  provider: Provider | undefined,
  at: (...keys: string[]) => string[],
  problems: ConfigProblem[],
): TwoStepSettings | undefined {
  if (authMode !== 'TWO_STEP') return undefined;
  if (provider === undefined || provider.auth_mode !== 'TWO_STEP') {
    const message = 'a TWO_STEP integration needs provider: a TWO_STEP entry of the catalog, which says how its token is fetched';
    problems.push({ path: at('provider'), message });
    return undefined;
  }
  const compiled = compileTwoStep(provider);
  for (const problem of compiled.problems) {
    problems.push({ path: at('provider'), message: `provider ${provider.name}'s ${problem.message}` });
  }
  return compiled.settings;
}
