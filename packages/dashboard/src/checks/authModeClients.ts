/**
 * The auth modes whose integrations hold an OAuth client (id, secret, scopes) set by the person adding them: what POST
 * /integrations takes (the server's holdsOAuthClient, packages/server/src/config/authModeNames.ts, which this package
 * cannot import). MCP_OAUTH2 is left out: its client is usually registered by the server itself.
 */
export function takesOAuthClient(authMode: string | undefined): authMode is 'OAUTH2' | 'OAUTH1' | 'TBA' | 'OAUTH2_CC' {
  return authMode === 'OAUTH2' || authMode === 'OAUTH1' || authMode === 'TBA' || authMode === 'OAUTH2_CC';
}

/**
 * Whether a new integration of the mode must be given its client. OAUTH2_CC's is optional: a Connection may bring its
 * own client (id and secret, or a private key), and the integration's is used only for those that bring none.
 */
export function needsOAuthClient(authMode: string | undefined): boolean {
  return takesOAuthClient(authMode) && authMode !== 'OAUTH2_CC';
}

/**
 * Whether the provider sends the user back to our OAuth callback (TBA's client signs requests, OAUTH2_CC's fetches
 * tokens itself: neither has a flow).
 */
export function usesOAuthCallback(authMode: string | undefined): boolean {
  return takesOAuthClient(authMode) && authMode !== 'TBA' && authMode !== 'OAUTH2_CC';
}
