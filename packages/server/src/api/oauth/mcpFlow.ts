import type { OAuthClientConfig } from '../../integrations/IntegrationRegistry';
import { discoverMcpAuthorization } from '../../oauth/mcp/discoverMcpAuthorization';
import { shownUrl } from '../../oauth/mcp/fetchMetadata';
import { checkMcpUrl } from '../../oauth/mcp/mcpUrls';
import { registerMcpClient, secretExpired, type RegisteredClient } from '../../oauth/mcp/registerMcpClient';
import { OAuthFlowError } from '../../oauth/flow/OAuthFlowError';
import type { McpFlowPart } from '../../store/McpFlowPart';
import { interpolateUrl } from '../../oauth/flow/interpolateUrl';
import type { ApiContext } from '../ApiContext';

/** The connect request's param naming the MCP server of an MCP_OAUTH2_GENERIC Connection (Nango's name). */
export const MCP_SERVER_URL_PARAM = 'mcp_server_url';

/**
 * Gets an MCP flow ready: MCP_OAUTH2_GENERIC discovers the authorization server of the MCP server in
 * `params[mcp_server_url]`; MCP_OAUTH2 takes the catalog's URLs. The client is the integration's when it has one
 * (static registration); otherwise the one registered for this integration, authorization server and callback URL,
 * registered now (RFC 7591) when there is none yet or its secret has expired.
 * @throws OAuthFlowError `url_param_err` (no or a bad MCP server URL), `discovery_err`, `registration_err`,
 *   `provider_config_err` (a dynamic catalog entry without registration_url)
 */
export async function prepareMcpFlow(
  context: ApiContext,
  client: OAuthClientConfig,
  params: Readonly<Record<string, string>>,
  callbackUrl: string,
): Promise<McpFlowPart> {
  const { provider } = client;
  const timeoutMs = context.settings.providerTimeoutMs;
  if (provider.auth_mode === 'MCP_OAUTH2_GENERIC') {
    const serverUrl = params[MCP_SERVER_URL_PARAM];
    if (serverUrl === undefined || serverUrl === '') {
      throw new OAuthFlowError(
        'url_param_err',
        `Integration '${client.providerConfigKey}' connects to the MCP server the user names: params[${MCP_SERVER_URL_PARAM}] is required (frontend: auth(…, { params: { ${MCP_SERVER_URL_PARAM}: 'https://…' } }))`,
      );
    }
    const policy = { allowLocal: context.workerSettings.mcpAllowLocalServers };
    const checked = checkMcpUrl(serverUrl, `params[${MCP_SERVER_URL_PARAM}]`, policy);
    if ('problem' in checked) throw new OAuthFlowError('url_param_err', checked.problem);
    const found = await discoverMcpAuthorization(serverUrl, { policy, timeoutMs });
    const registered = await clientFor(context, client, {
      issuer: found.issuer,
      registrationEndpoint: found.registrationEndpoint,
      supportedAuthMethods: found.tokenEndpointAuthMethods,
      callbackUrl,
      scope: (client.scopes.length > 0 ? client.scopes : found.scopes).join(' '),
      guard: { allowPrivate: policy.allowLocal },
    });
    return {
      ...clientPart(registered),
      authorizationUrl: found.authorizationEndpoint,
      tokenUrl: found.tokenEndpoint,
      resource: found.resource,
      scopes: found.scopes,
      serverUrl: checked.url.href,
    };
  }
  const authorizationUrl = interpolateUrl(provider.authorization_url ?? '', params, 'authorization_url');
  const tokenUrl = interpolateUrl(provider.token_url ?? '', params, 'token_url');
  const registrationUrl = provider.registration_url;
  let registered: RegisteredClient;
  if (provider.client_registration !== 'dynamic' || client.clientId !== '') {
    registered = integrationClient(client);
  } else {
    if (registrationUrl === undefined) {
      throw new OAuthFlowError(
        'provider_config_err',
        `Provider '${client.providerName}' registers its client dynamically but names no registration_url`,
      );
    }
    const registrationEndpoint = interpolateUrl(registrationUrl, params, 'registration_url');
    registered = await clientFor(context, client, { issuer: registrationEndpoint, registrationEndpoint, callbackUrl });
  }
  const resource = provider.authorization_params?.['resource'];
  return {
    ...clientPart(registered),
    authorizationUrl,
    tokenUrl,
    ...(resource !== undefined && { resource }),
    scopes: [],
  };
}

/**
 * The OAuth client the shared flow code (oauth/flow/oauth2.ts) runs an MCP flow with: the flow's client, and a
 * provider entry whose URLs are the flow's, whose authorization and token params carry the `resource`, and whose
 * client authentication is the registered client's. Its auth_mode stays the MCP one: the Connection is of that mode.
 */
export function mcpOAuthClient(client: OAuthClientConfig, part: McpFlowPart): OAuthClientConfig {
  const resource: Record<string, string> = part.resource !== undefined ? { resource: part.resource } : {};
  const provider = {
    ...client.provider,
    authorization_url: part.authorizationUrl,
    token_url: part.tokenUrl,
    authorization_params: { ...client.provider.authorization_params, ...resource },
    token_params: { ...client.provider.token_params, ...resource },
    authorization_method: part.authMethod === 'client_secret_basic' ? ('header' as const) : ('body' as const),
    default_scopes: client.provider.default_scopes ?? part.scopes,
    // PKCE is what protects a public client's code: never turned off for MCP.
    disable_pkce: false,
  };
  return { ...client, provider, clientId: part.clientId, clientSecret: part.clientSecret ?? '' };
}

/** The client fields an MCP Connection keeps with its tokens (see authModes/mcpOAuth2.ts MCP_CLIENT_FIELDS). */
export function mcpCredentialFields(part: McpFlowPart): Record<string, string> {
  return {
    client_id: part.clientId,
    ...(part.clientSecret !== undefined && { client_secret: part.clientSecret }),
    token_endpoint_auth_method: part.authMethod,
    token_url: part.tokenUrl,
    ...(part.resource !== undefined && { resource: part.resource }),
    ...(part.serverUrl !== undefined && { mcp_server_url: part.serverUrl }),
  };
}

/** The integration's own client as a registered one: a secret sent as the catalog says (Basic or in the body). */
function integrationClient(client: OAuthClientConfig): RegisteredClient {
  if (client.clientId === '') {
    throw new OAuthFlowError(
      'provider_config_err',
      `Integration '${client.providerConfigKey}' has no OAuth client: provider '${client.providerName}' registers clients statically, so set one (integrations.yaml oauth.client_id and client_secret, or the integration's credentials)`,
    );
  }
  if (client.clientSecret === '') return { clientId: client.clientId, authMethod: 'none' };
  const authMethod = client.provider.authorization_method === 'header' ? 'client_secret_basic' : 'client_secret_post';
  return { clientId: client.clientId, clientSecret: client.clientSecret, authMethod };
}

/**
 * The client for this integration at an authorization server: the integration's own when it has one, else the one
 * registered before for the same issuer and callback URL, else a new registration, stored for the next flows.
 */
async function clientFor(
  context: ApiContext,
  client: OAuthClientConfig,
  where: {
    issuer: string;
    registrationEndpoint: string | undefined;
    supportedAuthMethods?: readonly string[] | undefined;
    callbackUrl: string;
    scope?: string;
    /** The address guard's setting, for an endpoint a discovery found (see registerMcpClient). */
    guard?: { readonly allowPrivate: boolean };
  },
): Promise<RegisteredClient> {
  if (client.clientId !== '') return integrationClient(client);
  const key = { integration: client.providerConfigKey, issuer: where.issuer, redirectUri: where.callbackUrl };
  const known = await context.store.mcpClients.get(key);
  if (known && !secretExpired(known, Date.now())) return known;
  if (where.registrationEndpoint === undefined) {
    throw new OAuthFlowError(
      'registration_err',
      `The authorization server ${shownUrl(where.issuer)} has no registration_endpoint (RFC 7591 dynamic client registration): ` +
        `register a client there yourself and set it on integration '${client.providerConfigKey}' (oauth.client_id and client_secret)`,
    );
  }
  const registered = await registerMcpClient({
    registrationEndpoint: where.registrationEndpoint,
    redirectUri: where.callbackUrl,
    clientName: `${client.providerConfigKey} (Nango)`,
    scope: where.scope,
    supportedAuthMethods: where.supportedAuthMethods,
    extra: client.provider.registration_params,
    timeoutMs: context.settings.providerTimeoutMs,
    guard: where.guard,
  });
  await context.store.mcpClients.put(key, registered);
  return registered;
}

/** The client part of a flow: its id, its secret when it has one, how it authenticates. */
function clientPart(client: RegisteredClient): Pick<McpFlowPart, 'clientId' | 'clientSecret' | 'authMethod'> {
  return {
    clientId: client.clientId,
    ...(client.clientSecret !== undefined && { clientSecret: client.clientSecret }),
    authMethod: client.authMethod,
  };
}
