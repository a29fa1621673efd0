import type { AuthMode, NangoAuthCredentials } from '@nangohq/protocol';
import { WorkerError } from '../../../errors';
import { catalogModeOf } from '../../../config/authModeNames';

/** Where the credentials sit in the request, for messages. */
const AT = 'body/credentials';

/** The fields of one mode's import; `open`: any other field is taken too (the catalog entry names them). */
interface ImportFields {
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly open?: true;
}

/**
 * The fields `POST /connections` takes per auth mode, besides `type` (Nango's shapes: `@nangohq/types`
 * PostPublicConnection): required ones first. API keys come as `apiKey` (Nango's name) or `api_key` (ours). A mode
 * missing here cannot be imported (its credentials are fetched by the server).
 */
const FIELDS: Readonly<Partial<Record<AuthMode, ImportFields>>> = Object.freeze({
  OAUTH2: {
    required: ['access_token'],
    optional: ['refresh_token', 'expires_at', 'expires_in', 'no_expiration', 'config_override'],
  },
  OAUTH1: { required: ['oauth_token', 'oauth_token_secret'], optional: [] },
  API_KEY: { required: [], optional: ['apiKey', 'api_key'] },
  // The password may be empty (an API key as the user name), but not left out: normaliseCredentials checks it.
  USERNAME_PASSWORD: { required: ['username'], optional: ['password'] },
  TBA: { required: ['token_id', 'token_secret'], optional: ['config_override'] },
  // The role to assume: the server fetches the temporary keys itself (see authModes/awsSigV4).
  AWS_SIGV4: { required: ['role_arn'], optional: ['region'] },
  NONE: { required: [], optional: [] },
  // The modes below fetch (or sign, or compute) their token from what the user gave: the import stores those inputs
  // and the server gets a token at once, as at every door. A token, session or expiry brought along (Nango's shapes
  // carry them) is accepted and replaced, so what is stored is what the provider answers now.
  // OAUTH2_CC: the Connection's own client, or none (the integration's).
  OAUTH2_CC: {
    required: [],
    optional: ['client_id', 'client_secret', 'client_private_key', 'client_certificate', 'token', 'expires_at'],
  },
  SIGNATURE: { required: ['username', 'password'], optional: ['token', 'expires_at'] },
  BILL: { required: ['username', 'password', 'organization_id', 'dev_key'], optional: ['session_id', 'user_id', 'expires_at'] },
  // The catalog entry's own fields (its `credentials:`): any name; the handler checks them and names what it lacks.
  TWO_STEP: { required: [], optional: ['token', 'refresh_token', 'expires_at'], open: true },
  JWT: { required: [], optional: ['token', 'expires_at'], open: true },
});

/** Fields the server writes itself for the modes that fetch a token: taken in an import, then dropped (see FIELDS). */
const REPLACED: ReadonlySet<string> = new Set(['token', 'refresh_token', 'expires_at', 'session_id', 'user_id']);

/** Modes whose credentials are fetched at import: every field given but REPLACED ones goes to the handler as given. */
const FETCHED: ReadonlySet<AuthMode> = new Set(['OAUTH2_CC', 'SIGNATURE', 'BILL', 'TWO_STEP', 'JWT']);

/** Modes whose optional fields are taken as given: the handler's normalise checks them (OAuth 2 and API keys have their own rules here). */
const AS_GIVEN: ReadonlySet<AuthMode> = new Set(['TBA', 'AWS_SIGV4']);

/**
 * The credentials of an import (`POST /connections`), checked against the integration's auth mode and put in the
 * shape registerConnection takes, which then applies its own rules (an expiry with a refresh token, dates). Every
 * problem is collected; messages name fields, never values.
 * @throws WorkerError `invalid_credentials`
 */
export function importedCredentials(
  integration: string,
  authMode: AuthMode,
  given: Record<string, unknown>,
): NangoAuthCredentials {
  const type = catalogModeOf(authMode);
  const fields = FIELDS[authMode];
  const importable = Object.keys(FIELDS).map((mode) => catalogModeOf(mode as AuthMode));
  if (given['type'] !== type || !fields) {
    const why = fields
      ? `must be '${type}', the auth mode of integration '${integration}'`
      : `is ${type}, which cannot be imported`;
    throw new WorkerError('invalid_credentials', `${AT}/type ${why} (this server imports ${importable.join(', ')} credentials)`);
  }
  const { required, optional } = fields;
  const problems: string[] = [];
  for (const field of Object.keys(given)) {
    if (field !== 'type' && fields.open !== true && !required.includes(field) && !optional.includes(field)) {
      problems.push(`${AT}/${field} is not a field of ${type} credentials (they take ${[...required, ...optional].join(', ')})`);
    }
  }
  for (const field of required) requireText(given, field, problems);
  const credentials: Record<string, unknown> = {};
  for (const field of required) credentials[field] = given[field];
  if (authMode === 'OAUTH2') oauth2Extras(given, credentials, problems);
  if (FETCHED.has(authMode)) {
    for (const [field, value] of Object.entries(given)) if (field !== 'type' && !REPLACED.has(field)) credentials[field] = value;
  }
  if (AS_GIVEN.has(authMode)) for (const field of optional) if (given[field] !== undefined) credentials[field] = given[field];
  if (authMode === 'API_KEY') credentials['api_key'] = apiKeyOf(given, problems);
  if (authMode === 'USERNAME_PASSWORD') credentials['password'] = given['password'];
  if (problems.length > 0) throw new WorkerError('invalid_credentials', problems.join('; '));
  return credentials as unknown as NangoAuthCredentials;
}

/** A field that must be a non-empty string. */
function requireText(given: Record<string, unknown>, field: string, problems: string[]): void {
  const value = given[field];
  if (typeof value !== 'string' || value === '') problems.push(`${AT}/${field} is required, as a non-empty string`);
}

/** The refresh token and expiry of OAuth 2 credentials; their rules (an expiry with a refresh token) are registerConnection's. */
function oauth2Extras(given: Record<string, unknown>, credentials: Record<string, unknown>, problems: string[]): void {
  const { refresh_token: refreshToken, expires_at: expiresAt, expires_in: expiresIn, no_expiration: never } = given;
  if (refreshToken !== undefined) {
    if (typeof refreshToken !== 'string' || refreshToken === '') problems.push(`${AT}/refresh_token must be a non-empty string`);
    else credentials['refresh_token'] = refreshToken;
  }
  if (expiresAt !== undefined && expiresAt !== null) {
    if (typeof expiresAt !== 'string' && typeof expiresAt !== 'number') {
      problems.push(`${AT}/expires_at must be a date: ISO 8601 text or epoch milliseconds`);
    } else credentials['expires_at'] = expiresAt;
  }
  if (expiresIn !== undefined && expiresIn !== null) {
    if (typeof expiresIn !== 'number') problems.push(`${AT}/expires_in must be a number of seconds`);
    else credentials['expires_in'] = expiresIn;
  }
  if (never !== undefined && typeof never !== 'boolean') problems.push(`${AT}/no_expiration must be true or false`);
  if (never === true && (credentials['expires_at'] !== undefined || credentials['expires_in'] !== undefined)) {
    problems.push(`${AT}/no_expiration is true, so expires_at and expires_in must not be given`);
  }
  const override = given['config_override'];
  if (override !== undefined && override !== null && !(isObject(override) && Object.keys(override).length === 0)) {
    problems.push(
      `${AT}/config_override is not supported: this server refreshes every Connection of an integration with the integration's own OAuth client`,
    );
  }
}

/** The API key, given once as `apiKey` or `api_key`. */
function apiKeyOf(given: Record<string, unknown>, problems: string[]): unknown {
  if (given['apiKey'] !== undefined && given['api_key'] !== undefined) {
    problems.push(`${AT}: give the key once, as apiKey (or api_key), not both`);
    return undefined;
  }
  const field = given['api_key'] !== undefined ? 'api_key' : 'apiKey';
  requireText(given, field, problems);
  return given[field];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
