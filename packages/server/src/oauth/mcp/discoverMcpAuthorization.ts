import { OAuthFlowError } from '../flow/OAuthFlowError';
import { fetchMetadata, shownUrl, type MetadataAnswer } from './fetchMetadata';
import { checkMcpUrl, type McpUrlPolicy } from './mcpUrls';

/** What an MCP server's discovery found: where to send the user, where to trade the code, where to register. */
export interface McpAuthorization {
  /** The RFC 8707 `resource` the token is asked for: the protected-resource metadata's, or the MCP server URL. */
  readonly resource: string;
  /** The authorization server's issuer identifier. */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** RFC 7591 registration endpoint, when the authorization server has one. */
  readonly registrationEndpoint: string | undefined;
  /** Scopes to ask for: the resource's `scopes_supported`, else the authorization server's; may be empty. */
  readonly scopes: readonly string[];
  /** The authorization server's `token_endpoint_auth_methods_supported`, when it says. */
  readonly tokenEndpointAuthMethods: readonly string[] | undefined;
}

/**
 * Finds the authorization server of an MCP server (the MCP authorization spec): its protected-resource metadata
 * (RFC 9728) at `/.well-known/oauth-protected-resource<path>`, then at the root, then at the URL a 401 from the
 * server names in `WWW-Authenticate: Bearer resource_metadata="…"`; that metadata's first authorization server's
 * metadata (RFC 8414 `/.well-known/oauth-authorization-server`, with OpenID Connect Discovery's
 * `openid-configuration` as fallback). A server with no protected-resource metadata is taken as its own
 * authorization server (the MCP spec of 2025-03-26). Every URL is checked with `policy` (see mcpUrls) before it is
 * fetched or used; the metadata's `resource` must be the server URL or a parent of it, and the authorization server's
 * `issuer` the URL its metadata was looked up for (RFC 8414 section 3.3), so one server cannot speak for another.
 * @throws OAuthFlowError `discovery_err` naming the URLs asked and what each answered
 */
export async function discoverMcpAuthorization(
  serverUrl: string,
  options: { readonly policy: McpUrlPolicy; readonly timeoutMs: number },
): Promise<McpAuthorization> {
  const server = checked(serverUrl, 'The MCP server URL', options.policy);
  const tried: string[] = [];
  const protectedResource = await findResourceMetadata(server, options, tried);
  // Without metadata the server URL is the resource (its fragment is refused already; RFC 8707 section 2).
  let resource = server.href;
  let issuerUrl = new URL('/', server);
  let resourceScopes: readonly string[] = [];
  if (protectedResource) {
    const { json, at } = protectedResource;
    resource = checkResource(json['resource'], server, at);
    const servers = json['authorization_servers'];
    const first = Array.isArray(servers) ? servers[0] : undefined;
    if (typeof first !== 'string') {
      throw discoveryError(`The protected-resource metadata at ${shownUrl(at)} names no authorization_servers`);
    }
    issuerUrl = checked(first, `The authorization server ${first} named by ${shownUrl(at)}`, options.policy);
    resourceScopes = strings(json['scopes_supported']);
  }
  const metadata = await findServerMetadata(issuerUrl, options, protectedResource ? [] : tried);
  const at = metadata.at;
  const issuer = metadata.json['issuer'];
  if (typeof issuer !== 'string' || trimSlash(issuer) !== trimSlash(issuerUrl.href)) {
    throw discoveryError(
      `The authorization server metadata at ${shownUrl(at)} has issuer ${JSON.stringify(issuer)}, not ${issuerUrl.href} ` +
        'as it must (RFC 8414 section 3.3)',
    );
  }
  const endpoint = (name: string): string =>
    checked(metadata.json[name], `${name} in the authorization server metadata at ${shownUrl(at)}`, options.policy).href;
  const methods = metadata.json['code_challenge_methods_supported'];
  if (Array.isArray(methods) && !methods.includes('S256')) {
    throw discoveryError(`The authorization server at ${shownUrl(at)} does not support PKCE with S256, which MCP requires`);
  }
  const registration = metadata.json['registration_endpoint'];
  const authMethods = metadata.json['token_endpoint_auth_methods_supported'];
  return {
    resource,
    issuer,
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
    registrationEndpoint: registration === undefined ? undefined : endpoint('registration_endpoint'),
    scopes: resourceScopes.length > 0 ? resourceScopes : strings(metadata.json['scopes_supported']),
    tokenEndpointAuthMethods: Array.isArray(authMethods) ? strings(authMethods) : undefined,
  };
}

/** The protected-resource metadata and where it was found, or undefined when the server publishes none. */
async function findResourceMetadata(
  server: URL,
  options: { readonly policy: McpUrlPolicy; readonly timeoutMs: number },
  tried: string[],
): Promise<{ json: Record<string, unknown>; at: URL } | undefined> {
  const path = trimSlash(server.pathname);
  const candidates = [new URL(`/.well-known/oauth-protected-resource${path}`, server)];
  if (path !== '') candidates.push(new URL('/.well-known/oauth-protected-resource', server));
  for (const url of candidates) {
    const found = await metadataAt(url, 'protected-resource metadata', options, tried);
    if (found) return { json: found, at: url };
  }
  // RFC 9728 section 5.1: a 401 may say where the metadata is.
  const headers = { accept: 'application/json, text/event-stream' };
  const probe = await fetchMetadata(server, { headers, guard: guardOf(options.policy) }, options.timeoutMs);
  if ('failure' in probe) throw discoveryError(`The MCP server ${shownUrl(server)} could not be reached: ${probe.failure}`);
  const named = resourceMetadataUrl(probe);
  if (named === undefined) {
    tried.push(`GET ${shownUrl(server)}: HTTP ${probe.status} without WWW-Authenticate resource_metadata`);
    return undefined;
  }
  const url = checked(named, `The resource_metadata URL in the 401 of ${shownUrl(server)}`, options.policy);
  const found = await metadataAt(url, 'protected-resource metadata', options, tried);
  if (!found) throw discoveryError(`No protected-resource metadata: ${tried.join('; ')}`);
  return { json: found, at: url };
}

/** The authorization server metadata of `issuer` and where it was found (RFC 8414, then OpenID Connect Discovery). */
async function findServerMetadata(
  issuer: URL,
  options: { readonly policy: McpUrlPolicy; readonly timeoutMs: number },
  tried: string[],
): Promise<{ json: Record<string, unknown>; at: URL }> {
  const path = trimSlash(issuer.pathname);
  const candidates = [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer),
    new URL(`/.well-known/openid-configuration${path}`, issuer),
  ];
  if (path !== '') candidates.push(new URL(`${path}/.well-known/openid-configuration`, issuer));
  for (const url of candidates) {
    const found = await metadataAt(url, 'authorization server metadata', options, tried);
    if (found) return { json: found, at: url };
  }
  throw discoveryError(`No OAuth metadata for this MCP server: ${tried.join('; ')}`);
}

/**
 * The JSON object at `url`; undefined (noted in `tried`) for a 4xx, which means "not here".
 * @throws OAuthFlowError `discovery_err` for a server error, an unreachable server or an answer that is not JSON
 */
async function metadataAt(
  url: URL,
  what: string,
  options: { readonly policy: McpUrlPolicy; readonly timeoutMs: number },
  tried: string[],
): Promise<Record<string, unknown> | undefined> {
  const answer = await fetchMetadata(url, { guard: guardOf(options.policy) }, options.timeoutMs);
  const where = `GET ${shownUrl(url)}`;
  if ('failure' in answer) throw discoveryError(`The ${what} could not be fetched: ${where}: ${answer.failure}`);
  if (answer.status >= 400 && answer.status < 500) {
    tried.push(`${where}: HTTP ${answer.status}`);
    return undefined;
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw discoveryError(`The ${what} could not be fetched: ${where} answered HTTP ${answer.status}`);
  }
  if (!answer.json) throw discoveryError(`The ${what} at ${shownUrl(url)} is not a JSON object`);
  return answer.json;
}

/** RFC 9728 section 3.3: the metadata's `resource` is the server's URL, or one it sits under (same origin). */
function checkResource(value: unknown, server: URL, at: URL): string {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw discoveryError(`The protected-resource metadata at ${shownUrl(at)} has no resource URL`);
  }
  const resource = new URL(value);
  const under =
    trimSlash(server.pathname) === trimSlash(resource.pathname) || server.pathname.startsWith(`${trimSlash(resource.pathname)}/`);
  if (resource.origin !== server.origin || !under) {
    throw discoveryError(
      `The protected-resource metadata at ${shownUrl(at)} is for ${shownUrl(resource)}, not for the MCP server ${shownUrl(server)}`,
    );
  }
  return value;
}

/** `resource_metadata` of a 401's `WWW-Authenticate: Bearer …` challenge, if it has one. */
function resourceMetadataUrl(answer: MetadataAnswer): string | undefined {
  if (answer.status !== 401) return undefined;
  const header = answer.headers.get('www-authenticate') ?? '';
  const match = /(?:^|[\s,])resource_metadata\s*=\s*(?:"([^"]*)"|([^\s,]+))/i.exec(header);
  if (!/^\s*bearer\b/i.test(header) || !match) return undefined;
  return match[1] ?? match[2];
}

/**
 * `text` as a URL the policy accepts.
 * @throws OAuthFlowError `discovery_err` naming `what` and the problem
 */
function checked(text: unknown, what: string, policy: McpUrlPolicy): URL {
  const result = checkMcpUrl(text, what, policy);
  if ('problem' in result) throw discoveryError(result.problem);
  return result.url;
}

function discoveryError(message: string): OAuthFlowError {
  return new OAuthFlowError('discovery_err', message);
}

function trimSlash(text: string): string {
  return text.replace(/\/+$/, '');
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

/**
 * Every discovery request goes through the address guard: the MCP server URL is the user's, and every other URL its
 * server's (or its authorization server's) choice. NANGO_MCP_ALLOW_LOCAL_SERVERS lets loopback and private through.
 */
function guardOf(policy: McpUrlPolicy): { readonly allowPrivate: boolean } {
  return { allowPrivate: policy.allowLocal };
}
