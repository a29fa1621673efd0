import type { AuthMode, NangoConnection, StoredCredentials } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { localMcpServersAllowed } from '../net/addressGuard';
import { refreshedCredentials } from '../oauth/refreshedCredentials';
import { requestToken } from '../oauth/requestToken';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';
import { normaliseExpiry } from './oauth2';

/**
 * The credential fields an MCP OAuth Connection keeps besides its tokens: the client the flow registered (or the
 * integration's, for a catalog entry with static registration), where to refresh, for which resource, and (generic
 * mode) the MCP server the token is for. The refresh grant must use the very client the tokens were issued to, so
 * they live with the tokens, sealed, set only by the flow (or by the app through the credential routes): a
 * Connection's config, which scripts can write, never decides where a refresh token goes.
 */
export const MCP_CLIENT_FIELDS = [
  'client_id',
  'client_secret',
  'token_endpoint_auth_method',
  'token_url',
  'resource',
  'mcp_server_url',
] as const;

/** How a registered client authenticates at the token endpoint (RFC 7591), as stored. */
const AUTH_METHODS: ReadonlySet<string> = new Set(['none', 'client_secret_post', 'client_secret_basic']);

/**
 * MCP_OAUTH2: a remote MCP server of the catalog (Linear's, Notion's, …). Its catalog entry names the authorization
 * and token URLs and, with `client_registration: dynamic`, the registration URL where the flow registers a client
 * (RFC 7591) once per integration; with `static`, the integration's own OAuth client is used, as for OAUTH2. The
 * token is a Bearer token, refreshed with the registered client before it expires, with the RFC 8707 `resource`.
 */
export const mcpOAuth2: AuthModeHandler = mcpHandler('MCP_OAUTH2');

/**
 * MCP_OAUTH2_GENERIC: any remote MCP server, named by the Connection's `mcp_server_url` at connect time. The flow
 * discovers its authorization server (RFC 9728, RFC 8414) and registers a client there (RFC 7591); the Connection's
 * requests go to that server URL, kept with its credentials.
 */
export const mcpOAuth2Generic: AuthModeHandler = mcpHandler('MCP_OAUTH2_GENERIC');

function mcpHandler(mode: AuthMode): AuthModeHandler {
  return {
    mode,
    issuedByProvider: true,
    requiredFields: ['access_token'],
    normalise(raw, stored, problems, now) {
      normaliseExpiry(raw, stored, problems, now);
      for (const field of MCP_CLIENT_FIELDS) {
        const value = raw[field];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'string' || value === '') problems.push(`${field} must be a non-empty string`);
        else stored[field] = value;
      }
      const method = stored['token_endpoint_auth_method'];
      if (typeof method === 'string' && !AUTH_METHODS.has(method)) {
        problems.push('token_endpoint_auth_method must be none, client_secret_post or client_secret_basic');
      }
      const url = stored['mcp_server_url'];
      if (typeof url === 'string' && !/^https?:\/\/[^/]/.test(url)) problems.push('mcp_server_url must be an http(s) URL');
    },
    tokenFetch: { atCreation: false },
    grant: (integration, connection, timeoutMs) => mcpGrant(integration, connection, timeoutMs),
    authorise(integration, connection, request) {
      setCredentialHeader(request.headers, 'authorization', `Bearer ${credentialField(integration, connection, 'access_token')}`);
    },
    ...(mode === 'MCP_OAUTH2_GENERIC' && {
      baseUrl: (integration: IntegrationConfig, connection: NangoConnection) =>
        credentialField(integration, connection, 'mcp_server_url'),
    }),
  };
}

/**
 * The refresh-token grant with the Connection's own client (its registered one; else the integration's, for static
 * registration) at its token URL (else the integration's), with its `resource`.
 */
function mcpGrant(integration: IntegrationConfig, connection: NangoConnection, timeoutMs: number): TokenGrant | GrantMissing {
  const text = (field: string): string | undefined => {
    const value = connection.credentials[field];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const refreshToken = text('refresh_token');
  if (!refreshToken) return { missing: 'the Connection has no refresh_token', usableAsIs: true };
  const ownClient = text('client_id');
  const clientId = ownClient ?? integration.oauth?.clientId;
  const clientSecret = ownClient ? text('client_secret') : integration.oauth?.clientSecret;
  const ownTokenUrl = text('token_url');
  const tokenUrl = ownTokenUrl ?? integration.oauth?.tokenUrl;
  if (!clientId || !tokenUrl) {
    const keys = [!tokenUrl && 'token_url', !clientId && 'client_id'].filter(Boolean).join(' and ');
    return {
      missing:
        `the Connection has no ${keys} of the client it was connected with, and integration '${integration.name}' ` +
        'has none either: connect it again through the OAuth flow, which registers one',
    };
  }
  const method = ownClient ? text('token_endpoint_auth_method') : undefined;
  const clientAuth =
    method === 'client_secret_basic' || (!ownClient && integration.oauth?.clientAuth === 'basic') ? 'basic' : 'body';
  const resource = text('resource');
  const request = {
    tokenUrl,
    clientId,
    clientSecret: method === 'none' ? undefined : clientSecret,
    clientAuth,
    refreshToken,
    accessToken: text('access_token'),
    timeoutMs,
    ...(resource !== undefined && { extraParams: { resource } }),
    // The Connection's own token URL was published by a server its user named (or given with the Connection): it
    // goes through the address guard, as discovery did.
    ...(ownTokenUrl !== undefined && { guard: { allowPrivate: localMcpServersAllowed() } }),
  } as const;
  return { request: () => requestToken(request), credentials: keepingClient };
}

/** The refreshed tokens, with the client fields of the Connection carried over: the next refresh needs them too. */
function keepingClient(previous: StoredCredentials, response: Record<string, unknown>, now: number): StoredCredentials {
  const next = refreshedCredentials(previous, response, now);
  for (const field of MCP_CLIENT_FIELDS) if (previous[field] !== undefined) next[field] = previous[field];
  return next;
}
