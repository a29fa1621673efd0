import { clientIdOf } from '../catalogEntries';
import { oauthFlowRecipe } from './oauthFlowRecipe';
import { storedCredentials, WalkFailure, type Recipe } from './Recipe';

/** Nango stores an MCP Connection's credentials with type OAUTH2; what the flow ran is the same dance. */
const flow = oauthFlowRecipe('OAUTH2', 'access_token');

/**
 * MCP_OAUTH2: the OAuth flow of OAUTH2 (`auth(key, id)` opens /oauth/connect/:key). An entry with
 * `client_registration: dynamic` gets no OAuth client in integrations.yaml: the server registers one at the entry's
 * registration_url (RFC 7591), which the mock answers with a public client that must then use PKCE and send the
 * entry's RFC 8707 `resource`; the Connection must keep that client, which its refreshes use. A `static` entry gets
 * the integration's client, as OAUTH2 does. MCP_OAUTH2_GENERIC entries (no client_registration) get no client either:
 * the server discovers the user's MCP server's authorization server and registers there.
 */
export const mcpOAuth2Recipe: Recipe = {
  integration: (walk) => (dynamic(walk.entry) || generic(walk.entry) ? {} : flow.integration(walk)),
  async connect(walk, context) {
    const connected = await flow.connect(walk, context);
    if (dynamic(walk.entry)) {
      const credentials = await storedCredentials(walk, context);
      if (credentials['client_id'] !== clientIdOf(walk.name) || credentials['token_endpoint_auth_method'] !== 'none') {
        throw new WalkFailure('stored', 'the Connection does not keep the public client the mock registered');
      }
    }
    return connected;
  },
};

function generic(entry: Readonly<Record<string, unknown>>): boolean {
  return entry['auth_mode'] === 'MCP_OAUTH2_GENERIC';
}

function dynamic(entry: Readonly<Record<string, unknown>>): boolean {
  return entry['client_registration'] === 'dynamic';
}
