import type { StoredCredentials } from '@nangohq/protocol';

/**
 * The credentials to store after a successful refresh: the new access token; the new refresh token, or the old
 * one when the provider sent none (many rotate it only sometimes, and some never); `expires_at` from
 * `expires_in`, or none when the provider does not say (such a token is then only refreshed when forced); and
 * the provider's whole token response as `raw`, which getRawTokenResponse returns.
 */
export function refreshedCredentials(
  previous: StoredCredentials,
  response: Record<string, unknown>,
  now: number = Date.now(),
): StoredCredentials {
  const next: StoredCredentials = { raw: response, access_token: response['access_token'] };
  const refreshToken = response['refresh_token'];
  next['refresh_token'] = typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : previous['refresh_token'];
  const expiresIn = secondsOf(response['expires_in']);
  if (expiresIn !== undefined) next['expires_at'] = new Date(now + expiresIn * 1000).toISOString();
  return next;
}

/** expires_in as a positive number of seconds; some providers send it as a string. */
function secondsOf(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  // Past about 8.6e12 s the date is out of range and toISOString would throw: treat it as not said.
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 && seconds < 8e12 ? seconds : undefined;
}
