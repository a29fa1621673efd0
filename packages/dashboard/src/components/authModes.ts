export { needsOAuthClient, takesOAuthClient, usesOAuthCallback } from '../checks/authModeClients';

/** What a Connection of an auth mode brings itself, for integrations that hold no client. */
export function connectionCredentialsOf(authMode: string): string {
  if (authMode === 'API_KEY') return 'its own API key';
  if (authMode === 'BASIC' || authMode === 'USERNAME_PASSWORD') return 'its own user name and password';
  return `its own credentials (${authMode})`;
}

/**
 * The OAuth callback URL to register at the provider. The server builds it on NANGO_SERVER_URL, which no route
 * tells; this page's own address is the best guess and right whenever the dashboard is reached at that URL.
 */
export function callbackUrlGuess(): string {
  return `${window.location.origin}/oauth/callback`;
}

/** Integration keys as the server takes them (the pattern of POST /integrations and /config). */
export const UNIQUE_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** What is wrong with an integration key, or null. */
export function uniqueKeyProblem(key: string): string | null {
  if (key === '') return 'Enter a unique key: it names the integration in every API call (Provider-Config-Key).';
  if (key.length > 128) return 'The unique key is at most 128 characters.';
  if (!UNIQUE_KEY_PATTERN.test(key)) return 'Use only letters, digits, - and _ in the unique key (no spaces).';
  return null;
}
