import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isNode, parseDocument, type Document, type YAMLError } from 'yaml';
import { displayPath } from '../displayPath';
import type { AuthMode } from '@nangohq/protocol';
import type { Provider, ProviderCatalog } from '../providers/Provider';
import { extendProviderCatalog, loadProviderCatalog } from '../providers/loadProviderCatalog';
import { applyProvider, isWholePlaceholder, type IntegrationFields } from './applyProvider';
import { holdsOAuthClient, notRunMessage, runsAuthMode } from './authModeNames';
import { ConfigError } from '../ConfigError';
import { convert2022Config, is2022Format, lineOf2022, NANGO_CONFIG_2022 } from './legacy/convert2022Config';
import type { Converted2022 } from './legacy/Converted2022';
import { userHostKeys } from './userHost';
import { closedValues } from '../providers/fieldDescriptions';
import { baseUrlHost } from './baseUrlHost';
import { compileAwsSigV4, type AwsSigV4Yaml } from './compileAwsSigV4';
import { twoStepSettingsOf } from './compileTwoStep';
import { compileTemplate, substituteEnvDeep } from './compileTemplate';
import type { ConfigProblem } from '../ConfigError';
import { validateIntegrationsShape } from './integrationsSchema';
import { inputSchemaProblem } from './actionInput';
import { modelSchemaProblem } from './modelSchemas';
import { parseFrequency } from './frequency';
import type {
  ActionConfig,
  ModelConfig,
  SyncConfig,
  HeaderPrecedence,
  IntegrationConfig,
  IntegrationsConfig,
  LogLevel,
  OAuthConfig,
  Template,
  WebhookReceiving,
} from './types';

/** Every default of integrations.yaml, in one place. */
export const DEFAULTS = Object.freeze({
  /** `http_timeout_ms`: time limit of one httpRequest. */
  httpTimeoutMs: 30_000,
  /** `max_response_bytes`: largest response body one httpRequest reads (8 MiB, as NANGO_MAX_REPLY_BYTES). */
  maxResponseBytes: 8 * 1024 * 1024,
  /** `action_timeout_ms`: time limit of one action run, unless the action sets its own `timeout_ms`. Below the
   * client's 30 s default call timeout, so a caller hears `action_timeout` rather than a bare `timeout`. */
  actionTimeoutMs: 25_000,
  /** `action_memory_mb`: heap cap of one action run's sandbox, in MB, unless the action sets its own `memory_mb`.
   * Past it the run is stopped with `action_memory_exceeded` and the worker goes on. */
  actionMemoryMb: 256,
  /** `log_level`: level of the actions' own log lines. */
  logLevel: 'info' as LogLevel,
  /** `oauth.client_auth`: client credentials go in the token request's body, as most providers expect. */
  clientAuth: 'body' as OAuthConfig['clientAuth'],
  /** `oauth.refresh_margin_s`: refresh an OAuth 2 token this many seconds before it expires. */
  refreshMarginSeconds: 900,
  /** `syncs.<name>.frequency`: a sync runs hourly for each Connection unless it says otherwise. */
  syncFrequencyMs: 3_600_000,
  /** `syncs.<name>.timeout_ms`: a run that lasts an hour is stopped (and goes on from its checkpoint next time). */
  syncTimeoutMs: 3_600_000,
});

export { ConfigError };

/**
 * Reads, validates and compiles integrations.yaml, once, at start. Environment variables are substituted
 * here, so the process environment at load time is what counts.
 * @returns the deep-frozen config (its maps refuse changes too)
 * @throws ConfigError with every problem when the file cannot be read or is wrong in any way
 */
export function loadIntegrationsConfig(options: {
  yamlPath: string;
  integrationsDir: string;
  env?: NodeJS.ProcessEnv;
  /** Where `provider:` names are looked up. Default: the built-in catalog, loaded when first needed. */
  providers?: ProviderCatalog;
}): IntegrationsConfig {
  const sourceName = displayPath(options.yamlPath);
  let text: string;
  try {
    text = readFileSync(options.yamlPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(sourceName, [`${sourceName}: cannot read the file (${code})`], { cause: error });
  }
  const { integrationsDir, env, providers } = options;
  const nangoConfig = () => readNangoConfig(path.join(path.dirname(options.yamlPath), NANGO_CONFIG_2022));
  return parseIntegrationsConfig(text, { sourceName, integrationsDir, env, providers, nangoConfig });
}

/**
 * loadIntegrationsConfig without the file read, so tests need no files.
 * @param options.sourceName what to call the text in messages, e.g. `integrations.yaml`
 * @param options.env where `${NAME}` is looked up; default process.env
 * @param options.fileExists whether an action file exists; default: a regular file on disk
 * @param options.listDir the names in a folder, [] when it does not exist; default: read from disk
 * @param options.providers where `provider:` names are looked up; default: the built-in catalog
 * @throws ConfigError
 */
export function parseIntegrationsConfig(
  text: string,
  options: {
    sourceName: string;
    integrationsDir: string;
    env?: NodeJS.ProcessEnv | undefined;
    fileExists?: (path: string) => boolean;
    listDir?: (path: string) => string[];
    providers?: ProviderCatalog | undefined;
    /** The parsed nango-config.yaml of a 2022 folder, read only if the text is in the 2022 format. */
    nangoConfig?: () => unknown;
  },
): IntegrationsConfig {
  const doc = parseDocument(text, { logLevel: 'error' });
  // A broken document parses into something half-right; checking its shape would only add misleading lines.
  const syntax = [...doc.errors, ...doc.warnings].map((error) => formatYamlError(options.sourceName, error));
  if (syntax.length > 0) throw new ConfigError(options.sourceName, syntax);

  let parsed: unknown;
  try {
    parsed = doc.toJS();
  } catch (error) {
    // Alias bombs stop here (yaml's maxAliasCount).
    throw new ConfigError(options.sourceName, [`${options.sourceName}: ${(error as Error).message}`], { cause: error });
  }
  // The 2022 product's format is converted to ours first, then checked and compiled like any file of ours.
  const legacy = is2022Format(parsed) ? convert2022Config(parsed, options.nangoConfig?.()) : undefined;
  let providers = options.providers;
  const context: Context = {
    env: options.env ?? process.env,
    integrationsDir: options.integrationsDir,
    listDir: options.listDir ?? listDir,
    providers: () =>
      (providers ??= withLegacyProviders(options.providers ?? loadProviderCatalog({}), legacy, options.sourceName)),
    fileProblem: options.fileExists
      ? (file) => (options.fileExists?.(file) === true ? undefined : 'does not exist')
      : actionFileProblem,
  };
  const { config, problems } = compile(legacy?.document ?? parsed, context);
  if (!legacy) {
    if (problems.length > 0) throw new ConfigError(options.sourceName, formatProblems(doc, problems));
    return config;
  }
  // An integration whose conversion failed would only add echoes of the same problem in our format's terms.
  const unconverted = new Set(legacy.problems.map((problem) => problem.path[1]));
  const all = [...legacy.problems, ...problems.filter((problem) => !unconverted.has(problem.path[1]))];
  if (all.length > 0) throw new ConfigError(options.sourceName, format2022Problems(doc, all));
  const notices = Object.freeze(format2022Problems(doc, legacy.notices));
  return Object.freeze({ ...config, legacy: Object.freeze({ notices, serverLogLevel: legacy.serverLogLevel }) });
}

/** Lines of integrations.yaml first, in its order, then those of nango-config.yaml (another file), each named so. */
function format2022Problems(doc: Document, problems: readonly ConfigProblem[]): string[] {
  const isNangoConfig = (problem: ConfigProblem) => problem.path[0] === NANGO_CONFIG_2022;
  const ownFile = formatProblems(
    doc,
    problems.filter((problem) => !isNangoConfig(problem)),
  );
  return [...ownFile, ...problems.filter(isNangoConfig).map(lineOf2022)];
}

/** The catalog, plus the providers a 2022 file's inline `auth:` settings make. */
function withLegacyProviders(catalog: ProviderCatalog, legacy: Converted2022 | undefined, source: string): ProviderCatalog {
  if (!legacy || Object.keys(legacy.providers).length === 0) return catalog;
  return extendProviderCatalog(catalog, legacy.providers, `${source} (2022 format)`);
}

interface Context {
  readonly env: NodeJS.ProcessEnv;
  readonly integrationsDir: string;
  readonly listDir: (path: string) => string[];
  /** The providers catalog, loaded on first use: most files name no provider. */
  readonly providers: () => ProviderCatalog;
  /** What is wrong with an action file ('does not exist', ...), or undefined when it is a readable file. */
  readonly fileProblem: (path: string) => string | undefined;
}

/** The shape of one integration once the schema has accepted it. */
interface IntegrationYaml {
  auth_mode: AuthMode;
  base_url: string;
  headers?: Record<string, string> | null;
  query_params?: Record<string, string> | null;
  header_precedence?: HeaderPrecedence;
  http_timeout_ms?: number;
  max_response_bytes?: number;
  action_timeout_ms?: number;
  action_memory_mb?: number;
  log_level?: LogLevel;
  oauth?: {
    client_id?: string;
    client_secret?: string;
    token_url?: string;
    client_auth?: OAuthConfig['clientAuth'];
    refresh_margin_s?: number;
    app_link?: string;
    app_id?: string;
    app_private_key?: string;
    scopes?: string[] | null;
  } | null;
  aws_sigv4?: AwsSigV4Yaml;
  webhooks?: {
    secret?: string;
    forward?: boolean;
    signature_header?: string;
    connection_field?: string;
    connection_config_key?: string;
    type_field?: string;
  } | null;
  actions?: Record<
    string,
    { timeout_ms?: number; memory_mb?: number; description?: string; input?: Record<string, unknown> } | null
  > | null;
  syncs?: Record<string, SyncYaml | null> | null;
}

interface SyncYaml {
  models: Record<string, Record<string, unknown> | null>;
  frequency?: string;
  auto_start?: boolean;
  sync_type?: 'full' | 'incremental';
  track_deletes?: boolean;
  timeout_ms?: number;
  memory_mb?: number;
  encrypt_records?: boolean;
}

/** One pass: environment, schema and cross-checks, so the user sees every problem at once. */
function compile(parsed: unknown, context: Context): { config: IntegrationsConfig; problems: ConfigProblem[] } {
  const { value: resolved, problems: envProblems } = substituteEnvDeep(parsed, context.env, isTemplatePosition);
  // A value whose substitution failed is not worth a second line about its shape; an unknown key still is.
  const envSpots = new Set(envProblems.map((problem) => JSON.stringify(problem.path)));
  const shapeProblems = validateIntegrationsShape(resolved).filter(
    (problem) => problem.message === 'unknown key' || !envSpots.has(JSON.stringify(problem.path)),
  );
  const problems = [...envProblems, ...shapeProblems];
  const broken = new Set(shapeProblems.filter((p) => p.path[0] === 'integrations').map((p) => p.path[1]));

  const integrations = new Map<string, IntegrationConfig>();
  const declared = (resolved as { integrations?: unknown } | null)?.integrations;
  if (isMapping(declared)) {
    for (const [name, yaml] of Object.entries(declared)) {
      if (!isMapping(yaml)) continue; // the schema said what it should be
      const fields = yaml as IntegrationFields;
      const applied = applyProvider(name, fields, context.providers, problems);
      // An unknown provider is the one problem worth a line: what it would have given is unknowable.
      const unknownProvider = typeof fields.provider === 'string' && !applied.provider;
      const complete = !unknownProvider && hasRequired(name, applied.fields, problems);
      if (broken.has(name)) checkBaseUrlOfBroken(name, yaml, shapeProblems, problems);
      if (broken.has(name) || !complete) continue;
      const inherited = { provider: applied.provider, keys: applied.inherited };
      integrations.set(name, compileIntegration(name, applied.fields as IntegrationYaml, context, problems, inherited));
    }
  }
  return { config: Object.freeze({ integrations: frozenMap(integrations) }), problems };
}

/** An integration's catalog entry, and which of its keys (as `a.b`) came from there. */
interface Inherited {
  readonly provider: Provider | undefined;
  readonly keys: ReadonlySet<string>;
}

function compileIntegration(
  name: string,
  yaml: IntegrationYaml,
  context: Context,
  problems: ConfigProblem[],
  inherited: Inherited,
): IntegrationConfig {
  const at = (...keys: string[]): string[] => ['integrations', name, ...keys];
  const compileAt = (keys: string[], text: string): Template => {
    const compiled = compileTemplate(text, {
      path: at(...keys).join('.'),
      authMode: yaml.auth_mode,
      env: context.env,
      baseUrl: keys[0] === 'base_url' || keys[1] === 'token_url',
    });
    // A problem in a value taken from the catalog is not in integrations.yaml: say where it came from.
    const origin = inherited.keys.has(keys.join('.')) ? ` (from provider ${inherited.provider?.name ?? ''})` : '';
    problems.push(...compiled.problems.map((message) => ({ path: at(...keys), message: message + origin })));
    return compiled.template;
  };
  const compileMap = (key: 'headers' | 'query_params'): ReadonlyMap<string, Template> =>
    frozenMap(Object.entries(yaml[key] ?? {}).map(([field, text]) => [field, compileAt([key, field], text)]));

  if (!runsAuthMode(yaml.auth_mode)) problems.push({ path: at('auth_mode'), message: `uses ${notRunMessage(yaml.auth_mode)}` });
  const problemsBefore = problems.length;
  const baseUrl = compileAt(['base_url'], yaml.base_url);
  // MCP_OAUTH2_GENERIC's base_url may be one placeholder alone: each Connection's MCP server, which its auth mode
  // takes from the Connection's credentials (authModes/mcpOAuth2.ts), never from this template's value.
  const perConnectionServer = yaml.auth_mode === 'MCP_OAUTH2_GENERIC' && isWholePlaceholder(yaml.base_url);
  const urlProblem =
    problems.length === problemsBefore && !perConnectionServer
      ? (checkHttpUrl(withDummies(baseUrl)) ?? baseUrlHost(baseUrl).problem)
      : undefined;
  if (urlProblem) problems.push({ path: at('base_url'), message: urlProblem });
  const headers = compileMap('headers');
  const queryParams = compileMap('query_params');
  // A catalog entry may place the key elsewhere (Mandrill's in the JSON body) or leave it to the actions: only an
  // integration written here without a provider is surely missing it.
  const ownApiKey = yaml.auth_mode === 'API_KEY' && inherited.provider === undefined;
  if (ownApiKey && !usesApiKey([...headers.values(), ...queryParams.values()])) {
    problems.push({ path: at(), message: 'an API_KEY integration must place ${api_key} in headers or query_params' });
  }
  const actionTimeoutMs = yaml.action_timeout_ms ?? DEFAULTS.actionTimeoutMs;
  const actionMemoryMb = yaml.action_memory_mb ?? DEFAULTS.actionMemoryMb;
  return Object.freeze({
    name,
    authMode: yaml.auth_mode,
    baseUrl,
    headers,
    queryParams,
    headerPrecedence: yaml.header_precedence ?? 'call',
    httpTimeoutMs: yaml.http_timeout_ms ?? DEFAULTS.httpTimeoutMs,
    maxResponseBytes: yaml.max_response_bytes ?? DEFAULTS.maxResponseBytes,
    actionTimeoutMs,
    logLevel: yaml.log_level ?? DEFAULTS.logLevel,
    oauth: compileOAuth(yaml, at, problems, inherited.keys.has('oauth.token_url') ? compileAt : undefined, inherited.provider),
    ...optional('awsSigV4', compileAwsSigV4(yaml.auth_mode, yaml.aws_sigv4, at, problems)),
    ...optional('twoStep', twoStepSettingsOf(yaml.auth_mode, inherited.provider, at, problems)),
    actions: compileActions(name, yaml, { timeoutMs: actionTimeoutMs, memoryMb: actionMemoryMb }, context, problems),
    syncs: compileSyncs(name, yaml, actionMemoryMb, context, problems),
    provider: inherited.provider,
    ...optional('webhooks', compileWebhooks(yaml.webhooks)),
  });
}

/** `webhooks:` as the rest of the code reads it; undefined when absent or empty. */
function compileWebhooks(yaml: IntegrationYaml['webhooks']): WebhookReceiving | undefined {
  if (!yaml || Object.keys(yaml).length === 0) return undefined;
  return Object.freeze({
    forward: yaml.forward ?? false,
    ...optional('secret', yaml.secret),
    ...optional('signatureHeader', yaml.signature_header),
    ...optional('connectionField', yaml.connection_field),
    ...optional('connectionConfigKey', yaml.connection_config_key),
    ...optional('typeField', yaml.type_field),
  });
}

/** `{ [key]: value }`, or nothing when the value is undefined: a mode's settings appear only on its integrations. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** Without `provider:`, auth_mode and base_url must be written; with one, the catalog may have given them. */
function hasRequired(name: string, fields: IntegrationFields, problems: ConfigProblem[]): boolean {
  const missing = (['auth_mode', 'base_url'] as const).filter((key) => fields[key] === undefined);
  const hint = fields.provider === undefined ? ' (or a provider: that gives it)' : '';
  const unreported = missing.filter((key) => !problems.some((p) => p.path[1] === name && p.path[2] === key));
  for (const key of unreported) problems.push({ path: ['integrations', name], message: `${key} is required${hint}` });
  return missing.length === 0;
}

function compileOAuth(
  yaml: IntegrationYaml,
  at: (...keys: string[]) => string[],
  problems: ConfigProblem[],
  compileCatalogUrl: ((keys: string[], text: string) => Template) | undefined,
  provider: Provider | undefined,
): OAuthConfig | undefined {
  const oauth = yaml.oauth ?? undefined;
  if (yaml.auth_mode === 'OAUTH1') {
    // OAuth 1.0a signs every request with the consumer key and secret: without them no call can succeed.
    const message = 'an OAUTH1 integration needs oauth.client_id and oauth.client_secret (consumer key and secret)';
    if (!oauth) problems.push({ path: at(), message });
    for (const key of oauth ? (['client_id', 'client_secret'] as const) : []) {
      if (oauth?.[key] === undefined) problems.push({ path: at('oauth'), message: `${key} is required for OAUTH1` });
    }
  }
  if (!oauth) return undefined;
  // A catalog's token URL may hold a per-Connection placeholder (a tenant subdomain); one written in
  // integrations.yaml has had its environment references substituted already and is taken as it is.
  const tokenUrl = oauth.token_url === undefined ? undefined : compileCatalogUrl?.(['oauth', 'token_url'], oauth.token_url);
  const templated = tokenUrl?.parts.some((part) => typeof part !== 'string') === true;
  const tokenUrlProblem =
    oauth.token_url === undefined
      ? undefined
      : (checkHttpUrl(tokenUrl ? withDummies(tokenUrl) : oauth.token_url) ??
        (tokenUrl && templated ? tokenUrlHostProblem(tokenUrl, yaml.auth_mode, provider) : undefined));
  if (tokenUrlProblem) problems.push({ path: at('oauth', 'token_url'), message: tokenUrlProblem });
  return Object.freeze({
    clientId: oauth.client_id,
    clientSecret: oauth.client_secret,
    tokenUrl: templated ? undefined : oauth.token_url,
    tokenUrlTemplate: templated ? tokenUrl : undefined,
    scopes: Object.freeze([...(oauth.scopes ?? [])]),
    clientAuth: oauth.client_auth ?? DEFAULTS.clientAuth,
    refreshMarginSeconds: oauth.refresh_margin_s ?? DEFAULTS.refreshMarginSeconds,
    ...(oauth.app_link !== undefined && { appLink: oauth.app_link }),
    ...(oauth.app_id !== undefined && { appId: oauth.app_id }),
    ...(oauth.app_private_key !== undefined && { appPrivateKey: oauth.app_private_key }),
  });
}

/**
 * What is wrong with where a token URL's placeholders stand. The integration's own OAuth client (its client secret,
 * or OAuth 1's consumer secret) is never sent to a host the user types: whoever types it would receive the secret
 * with the refresh token (config/userHost.ts). The operator who runs one instance writes its token_url here.
 */
function tokenUrlHostProblem(tokenUrl: Template, authMode: string, provider: Provider | undefined): string | undefined {
  // A field the catalog closes to a list of its own (Zoho's data centres: `com`, `eu`) is the catalog's text, not typed.
  const closed = closedValues(provider);
  const typed = userHostKeys(tokenUrl).filter((key) => !closed.has(key));
  // OAUTH2_CC may send a Connection's own client there (through the address guard); its token request refuses the
  // integration's client for such a host (authModes/oauth2ClientCredentials.ts). Only the catalog's URL is a template.
  if (typed.length > 0 && holdsOAuthClient(authMode) && authMode !== 'OAUTH2_CC') {
    return `its host is a value the user types (${typed.join(', ')}), and the integration's OAuth client secret is never sent to such a host: write your instance's token_url (and authorization_url) in integrations.yaml`;
  }
  return undefined;
}

function compileActions(
  integration: string,
  yaml: IntegrationYaml,
  defaults: { timeoutMs: number; memoryMb: number },
  context: Context,
  problems: ConfigProblem[],
): ReadonlyMap<string, ActionConfig> {
  const listed = yaml.actions ?? {};
  const entries = Object.keys(listed).length > 0 ? Object.entries(listed) : discoverActions(integration, context);
  const actions = entries.map(([name, action]): [string, ActionConfig] => {
    const file = path.resolve(context.integrationsDir, integration, `${name}.action.ts`);
    const problem = context.fileProblem(file);
    if (problem)
      problems.push({ path: ['integrations', integration, 'actions', name], message: `file ${displayPath(file)} ${problem}` });
    const timeoutMs = action?.timeout_ms ?? defaults.timeoutMs;
    const memoryMb = action?.memory_mb ?? defaults.memoryMb;
    const inputProblem = action?.input === undefined ? undefined : inputSchemaProblem(action.input);
    if (inputProblem) problems.push({ path: ['integrations', integration, 'actions', name, 'input'], message: inputProblem });
    const described = {
      ...(action?.description !== undefined && { description: action.description }),
      ...(action?.input !== undefined && !inputProblem && { inputSchema: action.input }),
    };
    return [name, Object.freeze({ name, file, timeoutMs, memoryMb, ...described })];
  });
  return frozenMap(actions);
}

/** Syncs are declared, never discovered: each needs its models. Model schemas must compile. */
function compileSyncs(
  integration: string,
  yaml: IntegrationYaml,
  memoryMb: number,
  context: Context,
  problems: ConfigProblem[],
): ReadonlyMap<string, SyncConfig> {
  const syncs = Object.entries(yaml.syncs ?? {}).map(([name, sync]): [string, SyncConfig] => {
    const at = ['integrations', integration, 'syncs', name];
    const file = path.resolve(context.integrationsDir, integration, `${name}.sync.ts`);
    const problem = context.fileProblem(file);
    if (problem) problems.push({ path: at, message: `file ${displayPath(file)} ${problem}` });
    const models = Object.entries(sync?.models ?? {}).map(([model, schema]): [string, ModelConfig] => {
      const schemaProblem = schema ? modelSchemaProblem(schema) : undefined;
      if (schemaProblem) problems.push({ path: [...at, 'models', model], message: schemaProblem });
      return [model, Object.freeze({ name: model, schema: schema ?? undefined })];
    });
    let frequencyMs: number = DEFAULTS.syncFrequencyMs;
    if (sync?.frequency !== undefined) {
      const parsed = parseFrequency(sync.frequency);
      if ('problem' in parsed) problems.push({ path: [...at, 'frequency'], message: parsed.problem });
      else frequencyMs = parsed.ms;
    }
    return [
      name,
      Object.freeze({
        name,
        file,
        models: frozenMap(models),
        frequencyMs,
        autoStart: sync?.auto_start ?? true,
        syncType: sync?.sync_type ?? 'incremental',
        trackDeletes: sync?.track_deletes ?? false,
        timeoutMs: sync?.timeout_ms ?? DEFAULTS.syncTimeoutMs,
        memoryMb: sync?.memory_mb ?? memoryMb,
        encryptRecords: sync?.encrypt_records ?? true,
      }),
    ];
  });
  return frozenMap(syncs);
}

/**
 * An integration that lists no actions has those its folder holds: every `<name>.action.ts` whose name is a valid
 * action name (others are not actions and are left alone, as helpers beside them may be).
 */
function discoverActions(integration: string, context: Context): [string, null][] {
  const folder = path.resolve(context.integrationsDir, integration);
  const names = context.listDir(folder).flatMap((file) => /^([A-Za-z0-9_-]{1,128})\.action\.ts$/.exec(file)?.[1] ?? []);
  return names.sort().map((name) => [name, null]);
}

/** Where per-Connection placeholders are allowed: base_url, and header and query param values. */
function isTemplatePosition(at: readonly string[]): boolean {
  if (at[0] !== 'integrations') return false;
  return (at.length === 3 && at[2] === 'base_url') || (at.length === 4 && (at[2] === 'headers' || at[2] === 'query_params'));
}

function usesApiKey(templates: readonly Template[]): boolean {
  return templates.some((template) =>
    template.parts.some((part) => typeof part !== 'string' && part.kind === 'credential' && part.field === 'api_key'),
  );
}

/** Placeholders stand for one label, so `https://${additionalConfig.sub}.example.com` checks as a URL. */
function withDummies(template: Template): string {
  return template.parts.map((part) => (typeof part === 'string' ? part : 'x')).join('');
}

/**
 * An integration with a shape problem is not compiled, but its base_url is still checked on its own (with every
 * placeholder as a dummy): it is the most common typo, and hiding it until the next start would waste a round trip.
 */
function checkBaseUrlOfBroken(
  name: string,
  yaml: unknown,
  shapeProblems: readonly ConfigProblem[],
  problems: ConfigProblem[],
): void {
  const baseUrl = isMapping(yaml) ? yaml['base_url'] : undefined;
  const reported = shapeProblems.some((p) => p.path[1] === name && p.path[2] === 'base_url');
  if (typeof baseUrl !== 'string' || reported) return;
  const problem = checkHttpUrl(baseUrl.replace(/\$\{[^}]*\}/g, 'x'));
  if (problem) problems.push({ path: ['integrations', name, 'base_url'], message: problem });
}

function checkHttpUrl(text: string): string | undefined {
  if (!URL.canParse(text)) return 'must be a URL';
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:' ? undefined : 'must be an http or https URL';
}

/** Lines in the order of the file, so problems read top to bottom like the YAML they point into. */
function formatProblems(doc: Document, problems: readonly ConfigProblem[]): string[] {
  const lines = problems
    .map((problem, index) => ({ problem, index, offset: offsetOf(doc, problem.path) }))
    .sort((a, b) => a.offset - b.offset || a.index - b.index)
    .map(({ problem }) => `${problem.path.join('.') || '(top level)'}: ${problem.message}`);
  return [...new Set(lines)];
}

/** Where the deepest existing node on the path starts; a missing key points at its parent. */
function offsetOf(doc: Document, keys: readonly string[]): number {
  for (let length = keys.length; length >= 0; length--) {
    const node: unknown = doc.getIn(keys.slice(0, length), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

function formatYamlError(source: string, error: YAMLError): string {
  const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const start = error.linePos?.[0];
  return start ? `${source}:${start.line}:${start.col}: ${message}` : `${source}: ${message}`;
}

/** A Map frozen for real: Object.freeze alone leaves set, delete and clear working. */
function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(entries);
  const refuse = (): never => {
    throw new TypeError('integrations config is read-only once loaded');
  };
  Object.defineProperties(map, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(map);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A 2022 folder's nango-config.yaml, parsed; undefined when there is none (its settings then keep our defaults). */
function readNangoConfig(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const doc = parseDocument(text, { logLevel: 'error' });
  const source = displayPath(file);
  const syntax = [...doc.errors, ...doc.warnings].map((error) => formatYamlError(source, error));
  if (syntax.length > 0) throw new ConfigError(source, syntax);
  return doc.toJS({ maxAliasCount: 100 });
}

function listDir(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return []; // no folder, no actions: an integration may be used for its Connections and httpRequest alone
  }
}

/** A symbolic link loop (ELOOP) or a folder it may not read is a problem of the file, reported with the others. */
function actionFileProblem(file: string): string | undefined {
  try {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) return 'does not exist';
    return stat.isFile() ? undefined : 'is not a file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ELOOP' ? 'cannot be read: its symbolic links form a loop (ELOOP)' : `cannot be read (${code})`;
  }
}

/** Relative to the working directory when inside it (shorter), absolute otherwise (unambiguous). */
