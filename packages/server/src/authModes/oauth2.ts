import type { StoredCredentials } from '@nangohq/protocol';
import { renderTemplate } from '../config/renderTemplate';
import { refreshedCredentials } from '../oauth/refreshedCredentials';
import { requestToken } from '../oauth/requestToken';
import type { AuthModeHandler } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';

/**
 * OAUTH2: a Bearer access token, got through the authorization-code flow (or registered by the app), refreshed with
 * its refresh token (RFC 6749 section 6) before it expires.
 */
export const oauth2: AuthModeHandler = {
  mode: 'OAUTH2',
  requiredFields: ['access_token'],
  issuedByProvider: true,
  normalise: normaliseExpiry,
  tokenFetch: { atCreation: false },
  grant(integration, connection, timeoutMs) {
    const refreshToken = connection.credentials['refresh_token'];
    if (typeof refreshToken !== 'string') return { missing: 'the Connection has no refresh_token', usableAsIs: true };
    const { tokenUrlTemplate, clientId, clientSecret, clientAuth = 'body' } = integration.oauth ?? {};
    // A catalog token URL per tenant (`https://${additionalConfig.subdomain}.zendesk.com/oauth/tokens`) is filled
    // like a base_url (one host label, never an IP address), so a Connection's config cannot move it elsewhere.
    let tokenUrl = integration.oauth?.tokenUrl;
    try {
      if (tokenUrlTemplate) tokenUrl = renderTemplate(tokenUrlTemplate, connection, { baseUrl: true });
    } catch (error) {
      return { missing: (error as Error).message }; // names the placeholder the Connection lacks, never a value
    }
    if (!tokenUrl || !clientId) {
      const keys = [!tokenUrl && 'token_url', !clientId && 'client_id'].filter(Boolean).join(' and ');
      const missing =
        `integration '${integration.name}' has no oauth ${keys}: set integrations.${integration.name}.oauth.token_url, ` +
        `client_id and client_secret in integrations.yaml (the provider's token endpoint and your app's OAuth client), ` +
        `or register fresh credentials with updateConnectionCredentials`;
      return { missing };
    }
    const access = connection.credentials['access_token'];
    const accessToken = typeof access === 'string' ? access : undefined;
    const request = { tokenUrl, clientId, clientSecret, clientAuth, refreshToken, accessToken, timeoutMs };
    return { request: () => requestToken(request), credentials: refreshedCredentials };
  },
  authorise(integration, connection, request) {
    setCredentialHeader(request.headers, 'authorization', `Bearer ${credentialField(integration, connection, 'access_token')}`);
  },
};

/**
 * `expires_at` as an ISO 8601 string, from `expires_at` (a date) or `expires_in` (seconds from `now`); required with a
 * `refresh_token`, so the refresher knows when to refresh.
 */
export function normaliseExpiry(
  raw: Readonly<Record<string, unknown>>,
  stored: StoredCredentials,
  problems: string[],
  now: Date,
): void {
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
