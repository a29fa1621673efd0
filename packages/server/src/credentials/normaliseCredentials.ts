import type { AuthMode, StoredCredentials } from '@nangohq/protocol';
import { WorkerError } from '../errors';

/** The string fields each auth mode needs; see the node client reference, registerConnection. */
const REQUIRED_FIELDS: Readonly<Record<AuthMode, readonly string[]>> = {
  OAUTH2: ['access_token'],
  OAUTH1: ['oauth_token', 'oauth_token_secret'],
  API_KEY: ['api_key'],
  USERNAME_PASSWORD: ['username', 'password'],
};

/**
 * Basic auth with an API key as the username and an empty password (Chargebee, Ashby, Gong…), or as the password
 * and an empty username (Affinity): Nango's catalog declares such a field with an empty default. So each of the two
 * must be a string, and one of them not empty.
 */
function usernamePassword(integration: string, raw: Record<string, unknown>, stored: StoredCredentials): StoredCredentials {
  const { username, password } = raw;
  const problems = (['username', 'password'] as const).filter((field) => typeof raw[field] !== 'string');
  if (problems.length > 0 || (username === '' && password === '')) {
    const named = problems.length > 0 ? problems.join(' and ') : 'username and password';
    throw new WorkerError(
      'invalid_credentials',
      `Credentials for ${integration} (USERNAME_PASSWORD): ${named} must be strings, at least one of them not empty`,
    );
  }
  return { ...stored, username: username as string, password: password as string };
}

/**
 * Checks credentials against the integration's auth mode and returns what is stored: the mode's fields
 * (OAuth 2 `expires_at` as an ISO 8601 string, computed from `expires_in` when that is what was sent) plus
 * `raw`, exactly what the caller sent. Messages name fields, never values: these are secrets.
 * @throws WorkerError `invalid_credentials`
 */
export function normaliseCredentials(
  integration: string,
  authMode: AuthMode,
  raw: Record<string, unknown>,
  now: Date = new Date(),
): StoredCredentials {
  const problems: string[] = [];
  const stored: StoredCredentials = { raw };
  if (authMode === 'USERNAME_PASSWORD') return usernamePassword(integration, raw, stored);
  for (const field of REQUIRED_FIELDS[authMode]) {
    const value = raw[field];
    if (typeof value !== 'string' || value === '') problems.push(`${field} (a non-empty string) is required`);
    else stored[field] = value;
  }
  if (authMode === 'OAUTH2') normaliseOAuth2Expiry(raw, stored, now, problems);
  if (problems.length > 0) {
    throw new WorkerError('invalid_credentials', `Credentials for ${integration} (${authMode}): ${problems.join('; ')}`);
  }
  return stored;
}

function normaliseOAuth2Expiry(raw: Record<string, unknown>, stored: StoredCredentials, now: Date, problems: string[]): void {
  const { refresh_token: refreshToken, expires_at: expiresAt, expires_in: expiresIn } = raw;
  if (refreshToken !== undefined) {
    if (typeof refreshToken !== 'string' || refreshToken === '') problems.push('refresh_token must be a non-empty string');
    else stored['refresh_token'] = refreshToken;
  }
  if (expiresAt !== undefined && expiresAt !== null) {
    const date = typeof expiresAt === 'string' || typeof expiresAt === 'number' ? new Date(expiresAt) : undefined;
    if (!date || Number.isNaN(date.getTime())) problems.push('expires_at must be a date (ISO 8601 string or epoch milliseconds)');
    else stored['expires_at'] = date.toISOString();
  } else if (expiresIn !== undefined && expiresIn !== null) {
    const expiry = typeof expiresIn === 'number' && expiresIn > 0 ? new Date(now.getTime() + expiresIn * 1000) : undefined;
    // A date past year 275760 is invalid, and toISOString would throw on it: out of range is a bad input too.
    if (!expiry || Number.isNaN(expiry.getTime())) problems.push('expires_in must be a positive number of seconds');
    else stored['expires_at'] = expiry.toISOString();
  }
  if (
    stored['refresh_token'] !== undefined &&
    stored['expires_at'] === undefined &&
    !problems.some((p) => p.startsWith('expires'))
  ) {
    problems.push('expires_at or expires_in is required with a refresh_token, so the worker knows when to refresh');
  }
}
