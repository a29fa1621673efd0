import type { ErrorObject, ValidateFunction } from 'ajv';
import { AUTH_MODES } from '@nangohq/protocol';
import type { ConfigProblem } from '../ConfigError';
import type { LogLevel } from './types';
import { loadValidators, type ValidatorSpec } from '../prebuilt/prebuiltValidators';

/** The log levels integrations.yaml accepts, from most to least verbose. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

/** Same alphabet and length as names on the wire (protocol schemas.ts): names become folder and file names. */
const NAME_PATTERN = '^[A-Za-z0-9_-]+$';
/** An HTTP header field name (RFC 9110 token): anything else would only fail later, at request time. */
const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
/** setTimeout fires at once for delays past 2^31-1 ms, so a larger timeout would silently mean none at all. */
const MAX_TIMEOUT_MS = 2_147_483_647;

const timeoutMs = { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS };
/** A sandbox's heap cap: below 16 MB a thread cannot even start; above 64 GB is a typo. */
const memoryMb = { type: 'integer', minimum: 16, maximum: 65_536 };
const names = { type: 'string', pattern: NAME_PATTERN, maxLength: 128 };
const strings = (keys: object) => ({
  type: ['object', 'null'],
  propertyNames: keys,
  additionalProperties: { type: 'string' },
});

// --- Providers catalog: `provider:` and `oauth.scopes` (catalog work, issue 8) ---------------------------------
// With `provider:`, auth_mode, base_url, headers, query params and the OAuth token URL may come from the catalog,
// so auth_mode and base_url are not `required` here: loadIntegrationsConfig checks them once the catalog is merged.
const providerKeys = {
  provider: { type: 'string', minLength: 1 },
};
const oauthScopes = {
  scopes: { type: ['array', 'null'], items: { type: 'string', minLength: 1 } },
};
// --- end of the providers catalog block ---------------------------------------------------------------------

const oauth = {
  type: ['object', 'null'],
  properties: {
    client_id: { type: 'string', minLength: 1 },
    client_secret: { type: 'string', minLength: 1 },
    token_url: { type: 'string', format: 'uri' },
    client_auth: { enum: ['body', 'basic'] },
    refresh_margin_s: { type: 'integer', minimum: 0 },
    // GitHub App (APP, CUSTOM): the app's public page, where its install flow starts.
    app_link: { type: 'string', format: 'uri', pattern: '^https?://' },
    // CUSTOM (a GitHub App with OAuth): client_id and client_secret are its OAuth client's; these, the app's.
    app_id: { type: 'string', minLength: 1 },
    app_private_key: { type: 'string', minLength: 1 },
    ...oauthScopes,
  },
  additionalProperties: false,
};

// --- Provider webhooks: how /webhook/<integration> checks and routes what the provider sends ------------------
const webhooks = {
  type: ['object', 'null'],
  properties: {
    secret: { type: 'string', minLength: 1 },
    forward: { type: 'boolean' },
    signature_header: { type: 'string', pattern: HEADER_NAME_PATTERN },
    connection_field: { type: 'string', minLength: 1, maxLength: 256 },
    connection_config_key: { type: 'string', minLength: 1, maxLength: 256 },
    type_field: { type: 'string', minLength: 1, maxLength: 256 },
  },
  additionalProperties: false,
};

/** An AWS region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
export const AWS_REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$';

// --- AWS SigV4 (signing modes issue) ----------------------------------------------------------------------------
const awsSigV4 = {
  type: 'object',
  properties: {
    service: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
    default_region: { type: 'string', pattern: AWS_REGION_PATTERN },
    access_key_id: { type: 'string', minLength: 1 },
    secret_access_key: { type: 'string', minLength: 1 },
    sts_endpoint: { type: 'string', format: 'uri' },
    // STS's own rules for ExternalId: 2-1224 characters of [\w+=,.@:/-].
    external_id: { type: 'string', pattern: '^[\\w+=,.@:/-]{2,1224}$' },
    session_duration_s: { type: 'integer', minimum: 900, maximum: 43_200 },
  },
  required: ['service', 'access_key_id', 'secret_access_key'],
  additionalProperties: false,
};
// --- end of the AWS SigV4 block --------------------------------------------------------------------------------

const action = {
  type: ['object', 'null'],
  properties: {
    timeout_ms: timeoutMs,
    memory_mb: memoryMb,
    // What the action does, for people and for LLM tools (GET /scripts/config).
    description: { type: 'string', maxLength: 4096 },
    // A JSON Schema its input must match; compiled (and its own errors reported) by loadIntegrationsConfig.
    input: { type: 'object' },
  },
  additionalProperties: false,
};

// --- Syncs (syncs issue): models are JSON Schemas, checked by ajv when the file loads ----------------------------
const sync = {
  type: ['object', 'null'],
  properties: {
    models: {
      type: 'object',
      minProperties: 1,
      propertyNames: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,127}$' },
      additionalProperties: { type: ['object', 'null'] },
    },
    frequency: { type: 'string', minLength: 1 },
    auto_start: { type: 'boolean' },
    sync_type: { enum: ['full', 'incremental'] },
    track_deletes: { type: 'boolean' },
    timeout_ms: timeoutMs,
    memory_mb: memoryMb,
    encrypt_records: { type: 'boolean' },
  },
  required: ['models'],
  additionalProperties: false,
};
// --- end of the syncs block ------------------------------------------------------------------------------------

const integration = {
  type: 'object',
  properties: {
    ...providerKeys,
    auth_mode: { enum: AUTH_MODES },
    // Checked as an http(s) URL once its placeholders are compiled: a raw `${...}` is not a valid URI.
    base_url: { type: 'string' },
    headers: strings({ type: 'string', pattern: HEADER_NAME_PATTERN }),
    query_params: strings({ type: 'string', minLength: 1 }),
    header_precedence: { enum: ['call', 'configured'] },
    http_timeout_ms: timeoutMs,
    max_response_bytes: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    action_timeout_ms: timeoutMs,
    action_memory_mb: memoryMb,
    log_level: { enum: LOG_LEVELS },
    oauth,
    aws_sigv4: awsSigV4,
    webhooks,
    actions: { type: ['object', 'null'], propertyNames: names, additionalProperties: action },
    syncs: { type: ['object', 'null'], propertyNames: names, additionalProperties: sync },
  },
  additionalProperties: false,
};

/**
 * The JSON Schema (draft-07) of integrations.yaml. An empty file and an empty `integrations:` are valid and
 * declare nothing. Cross-field rules (credential placeholders, OAUTH1 consumer keys, action files) are checked
 * by loadIntegrationsConfig, where they can name what to write instead.
 */
export const INTEGRATIONS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: ['object', 'null'],
  properties: {
    integrations: { type: ['object', 'null'], propertyNames: names, additionalProperties: integration },
  },
  additionalProperties: false,
} as const;

/** The validator of INTEGRATIONS_SCHEMA: built by `npm run build` (see prebuilt/), else compiled on first use. */
export const INTEGRATIONS_VALIDATORS: ValidatorSpec<'integrations'> = {
  name: 'integrations',
  schemas: { integrations: INTEGRATIONS_SCHEMA },
  options: { allErrors: true, verbose: true, strict: true, allowUnionTypes: true },
  formats: ['uri'],
};
let validator: ValidateFunction | undefined;

/**
 * Validates the parsed (and environment-substituted) YAML against INTEGRATIONS_SCHEMA.
 * @returns every problem, one readable line per spot, in ajv's order; empty when the shape is right
 */
export function validateIntegrationsShape(data: unknown): ConfigProblem[] {
  const validate = (validator ??= loadValidators(INTEGRATIONS_VALIDATORS).integrations);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const problem of (validate.errors ?? []).flatMap(toProblem)) {
    const key = JSON.stringify([problem.path, problem.message]);
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  }
  return problems;
}

function toProblem(error: ErrorObject): ConfigProblem[] {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  // The name goes in the path too, so the loader knows which entry to leave out of its cross-checks.
  const name = error.propertyName;
  if (name !== undefined) return [{ path: [...path, name], message: badName(name, params) }];
  switch (error.keyword) {
    case 'propertyNames': // ajv repeats the name's own error, already reported above
      return [];
    case 'required':
      return [{ path, message: `${String(params['missingProperty'])} is required` }];
    case 'additionalProperties':
      return [{ path: [...path, String(params['additionalProperty'])], message: 'unknown key' }];
    case 'enum':
      return [{ path, message: `must be one of ${(params['allowedValues'] as unknown[]).join(', ')}` }];
    case 'type':
      return [{ path, message: wrongType(String(params['type']), error.data) }];
    case 'format':
      return [{ path, message: 'must be a URL' }];
    case 'minLength':
      return [{ path, message: 'must not be empty' }];
    case 'minimum':
      return [{ path, message: `must be at least ${String(params['limit'])}` }];
    case 'maximum':
      return [{ path, message: `must be at most ${String(params['limit'])}` }];
    default:
      return [{ path, message: error.message ?? 'is not valid' }];
  }
}

function badName(name: string, params: Record<string, unknown>): string {
  const quoted = JSON.stringify(name);
  if (params['pattern'] === NAME_PATTERN) return `${quoted} is not a valid name: use letters, digits, _ and -`;
  if (params['pattern'] === HEADER_NAME_PATTERN) return `${quoted} is not a valid header name`;
  if (params['limit'] !== undefined && name.length > 0) {
    return `${quoted} is too long: at most ${String(params['limit'])} characters`;
  }
  return 'an empty name is not allowed';
}

/** Says what was found, not its value: YAML numbers and booleans where a string belongs are a common slip. */
function wrongType(expected: string, data: unknown): string {
  const wanted = expected.split(',')[0];
  const article = wanted === 'object' ? 'a mapping' : wanted === 'integer' ? 'an integer' : `a ${String(wanted)}`;
  const found = kindOf(data);
  const hint = wanted === 'string' && (typeof data === 'number' || typeof data === 'boolean') ? ': put it in quotes' : '';
  return `must be ${article}, not ${found}${hint}`;
}

function kindOf(data: unknown): string {
  if (data === null || data === undefined) return 'empty';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  if (typeof data === 'number') return Number.isInteger(data) ? 'an integer' : 'a fractional number';
  return `a ${typeof data}`;
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
}
