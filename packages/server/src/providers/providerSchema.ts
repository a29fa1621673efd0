import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ConfigProblem } from '../ConfigError';
import { loadValidators, type ValidatorSpec } from '../prebuilt/prebuiltValidators';

/**
 * Catalog keys: Nango's own providers.yaml uses lowercase names with `-` (`google-calendar`), a few with `.` or `_`.
 * They become route segments and config values, never file names.
 */
export const PROVIDER_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

const text = { type: 'string' };
/**
 * Param values: text, though Nango's file writes a few as bare YAML numbers or booleans (sent as text anyway) and
 * a few TWO_STEP providers nest mappings (kept as written).
 */
const params = { type: ['object', 'null'] };
const mapping = { type: ['object', 'null'] };

/**
 * The JSON Schema (draft-07) of one providers.yaml file: a map from provider name to entry. Only the fields this
 * server reads are typed; every other field (and every auth mode) is accepted as written, so a user can point
 * NANGO_PROVIDERS_FILE at Nango's much bigger catalog and have it load. `auth_mode` is not required here: a
 * user's override or an `alias:` entry may leave it to the entry it builds on; the loader checks it after merging.
 */
export const PROVIDERS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: ['object', 'null'],
  propertyNames: { type: 'string', pattern: PROVIDER_NAME_PATTERN, maxLength: 128 },
  additionalProperties: {
    type: 'object',
    properties: {
      display_name: text,
      auth_mode: { type: 'string', minLength: 1 },
      alias: { type: 'string', pattern: PROVIDER_NAME_PATTERN },
      docs: text,
      categories: { type: 'array', items: text },
      authorization_url: text,
      // Nango's file gives a few providers one token URL per auth mode: `token_url: { OAUTH2: …, APP: … }`.
      token_url: { type: ['string', 'object'], additionalProperties: text },
      refresh_url: text,
      revocation_url: text,
      revocation: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: {
          method: { enum: ['POST', 'DELETE', 'GET'] },
          token_param: { type: 'string', minLength: 1 },
          token: { enum: ['access_token', 'refresh_token'] },
          auth: { enum: ['client_basic', 'client_body', 'none', 'bearer'] },
          body_format: { enum: ['form', 'json'] },
        },
      },
      authorization_params: params,
      token_params: params,
      refresh_params: params,
      scope_separator: text,
      default_scopes: { type: 'array', items: text },
      disable_pkce: { type: 'boolean' },
      authorization_method: { enum: ['body', 'header'] },
      // `form` or `json` here; Nango's file has a few OAUTH2_CC providers with `query` or `xml`, kept as written.
      body_format: text,
      authorization_code_param_in_callback: { type: 'string', minLength: 1 },
      token_response_metadata: { type: 'array', items: text },
      client_registration: text,
      registration_url: text,
      registration_params: mapping,
      redirect_uri_metadata: { type: 'array', items: text },
      docs_connect: text,
      request_url: text,
      request_params: params,
      request_http_method: text,
      token_http_method: text,
      signature_method: text,
      // Field descriptions (providers/fieldDescriptions.ts): read leniently, as Nango's file writes them.
      connection_config: mapping,
      credentials: mapping,
      // Checked by the loader with its own messages (providers/postConnectionSteps.ts).
      post_connection: { type: ['object', 'array', 'null'] },
      proxy: {
        type: ['object', 'null'],
        properties: {
          base_url: text,
          headers: { type: ['object', 'null'], additionalProperties: text },
          query: { type: ['object', 'null'], additionalProperties: text },
          retry: mapping,
          paginate: mapping,
          verification: mapping,
        },
      },
    },
  },
} as const;

/** The validator of PROVIDERS_SCHEMA: built by `npm run build` (see prebuilt/), else compiled on first use. */
export const PROVIDERS_VALIDATORS: ValidatorSpec<'providers'> = {
  name: 'providers',
  schemas: { providers: PROVIDERS_SCHEMA },
  options: { allErrors: true, strict: true, allowUnionTypes: true },
};
let validator: ValidateFunction | undefined;

/**
 * Validates one parsed providers.yaml against PROVIDERS_SCHEMA.
 * @returns every problem with its path from the file's root; empty when the shape is right
 */
export function validateProvidersShape(data: unknown): ConfigProblem[] {
  const validate = (validator ??= loadValidators(PROVIDERS_VALIDATORS).providers);
  if (validate(data)) return [];
  const lines = new Map<string, ConfigProblem>();
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error);
    if (problem) lines.set(JSON.stringify(problem), problem);
  }
  return [...lines.values()];
}

function toProblem(error: ErrorObject): ConfigProblem | undefined {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return { path: [...path, error.propertyName], message: 'is not a valid provider name: use letters, digits, _, . and -' };
  }
  switch (error.keyword) {
    case 'propertyNames':
      return undefined; // repeats the name's own error, reported above
    case 'type':
      return { path, message: `must be ${String(params['type']).split(',').join(' or ')}` };
    case 'enum':
      return { path, message: `must be one of ${(params['allowedValues'] as unknown[]).join(', ')}` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'pattern':
      return { path, message: 'is not a valid provider name' };
    default:
      return { path, message: error.message ?? 'is not valid' };
  }
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
}
