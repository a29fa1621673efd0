/**
 * The auth modes whose integrations need an OAuth client (id, secret, scopes) from the person adding them: what POST
 * /integrations takes (the server's holdsOAuthClient, packages/server/src/config/authModeNames.ts, which this package
 * cannot import). MCP_OAUTH2 is left out: its client is usually registered by the server itself.
 */
export function takesOAuthClient(authMode: string | undefined): authMode is 'OAUTH2' | 'OAUTH1' | 'TBA' {
  return authMode === 'OAUTH2' || authMode === 'OAUTH1' || authMode === 'TBA';
}

/** Whether the provider sends the user back to our OAuth callback (TBA's client signs requests; there is no flow). */
export function usesOAuthCallback(authMode: string | undefined): boolean {
  return takesOAuthClient(authMode) && authMode !== 'TBA';
}

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
