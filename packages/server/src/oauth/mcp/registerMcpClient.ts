import { OAuthFlowError } from '../flow/OAuthFlowError';
import { fetchMetadata, shownUrl } from './fetchMetadata';

export type { ClientAuthMethod, RegisteredClient } from '../../store/McpClientStore';
import type { ClientAuthMethod, RegisteredClient } from '../../store/McpClientStore';

/** What a registration asks for. */
export interface ClientRegistration {
  readonly registrationEndpoint: string;
  /** Our OAuth callback: the only redirect URI the client gets. */
  readonly redirectUri: string;
  readonly clientName: string;
  readonly clientUri?: string | undefined;
  readonly logoUri?: string | undefined;
  /** Space-separated scopes the client may ask for; omitted when empty. */
  readonly scope?: string | undefined;
  /** The authorization server's `token_endpoint_auth_methods_supported`, when it says (see authMethodFor). */
  readonly supportedAuthMethods?: readonly string[] | undefined;
  /** The catalog's `registration_params` (grant_types, response_types, …), over our defaults. */
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
  readonly timeoutMs: number;
  /**
   * Send through the address guard (net/addressGuard.ts): set when the endpoint came from discovery of a server the
   * user named (MCP_OAUTH2_GENERIC), with NANGO_MCP_ALLOW_LOCAL_SERVERS; a catalog's registration_url is not guarded.
   */
  readonly guard?: { readonly allowPrivate: boolean } | undefined;
}

/**
 * Registers a client (RFC 7591): redirect_uris our callback, the authorization-code and refresh-token grants,
 * response type `code`, a public client (`none`, PKCE protects the code) unless the authorization server supports
 * only client secrets. The server's answer wins where it differs (its auth method, a secret it issues).
 * @throws OAuthFlowError `registration_err` naming the endpoint and its answer's status and error (never a secret)
 */
export async function registerMcpClient(registration: ClientRegistration): Promise<RegisteredClient> {
  const endpoint = new URL(registration.registrationEndpoint);
  const asked = authMethodFor(registration.supportedAuthMethods, endpoint);
  const body: Record<string, unknown> = {
    redirect_uris: [registration.redirectUri],
    client_name: registration.clientName,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: asked,
    ...(registration.clientUri !== undefined && { client_uri: registration.clientUri }),
    ...(registration.logoUri !== undefined && { logo_uri: registration.logoUri }),
    ...(registration.scope ? { scope: registration.scope } : {}),
    ...registration.extra,
  };
  // What we ask for and where the code goes are not the catalog's to change.
  body['redirect_uris'] = [registration.redirectUri];
  body['token_endpoint_auth_method'] = asked;
  const answer = await fetchMetadata(
    endpoint,
    {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      ...(registration.guard !== undefined && { guard: registration.guard }),
    },
    registration.timeoutMs,
  );
  const where = `POST ${shownUrl(endpoint)}`;
  if ('failure' in answer) throw registrationError(`The client registration failed: ${where}: ${answer.failure}`);
  const json = answer.json;
  if (answer.status < 200 || answer.status >= 300) {
    const error = typeof json?.['error'] === 'string' ? json['error'] : undefined;
    const description = typeof json?.['error_description'] === 'string' ? json['error_description'] : undefined;
    const reason = [error, description].filter(Boolean).join(': ').slice(0, 300);
    throw registrationError(
      `The authorization server refused the client registration: ${where} answered HTTP ${answer.status}${reason ? ` ${reason}` : ''}`,
    );
  }
  const clientId = json?.['client_id'];
  if (typeof clientId !== 'string' || clientId === '') {
    throw registrationError(
      `The client registration at ${shownUrl(endpoint)} answered HTTP ${answer.status} without a client_id`,
    );
  }
  const secret = json?.['client_secret'];
  const clientSecret = typeof secret === 'string' && secret !== '' ? secret : undefined;
  const method = json?.['token_endpoint_auth_method'];
  const authMethod: ClientAuthMethod = isAuthMethod(method) ? method : clientSecret ? asked : 'none';
  if (authMethod !== 'none' && clientSecret === undefined) {
    throw registrationError(
      `The client registration at ${shownUrl(endpoint)} chose ${authMethod} without issuing a client_secret`,
    );
  }
  const expires = json?.['client_secret_expires_at'];
  return { clientId, clientSecret, authMethod, secretExpiresAt: typeof expires === 'number' ? expires : undefined };
}

/**
 * The auth method to ask for: `none` (a public client, as MCP clients are) when the server supports it or does not
 * say, else a client secret in the body or in Basic.
 * @throws OAuthFlowError `registration_err` when the server supports none of these
 */
function authMethodFor(supported: readonly string[] | undefined, endpoint: URL): ClientAuthMethod {
  if (supported === undefined || supported.includes('none')) return 'none';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  if (supported.includes('client_secret_basic')) return 'client_secret_basic';
  throw registrationError(
    `The authorization server of ${shownUrl(endpoint)} supports only token endpoint auth methods this server does not ` +
      `use (${supported.join(', ')}); it uses none, client_secret_post or client_secret_basic`,
  );
}

function isAuthMethod(value: unknown): value is ClientAuthMethod {
  return value === 'none' || value === 'client_secret_post' || value === 'client_secret_basic';
}

/** Whether a registered client's secret has expired (RFC 7591 section 3.2.1), so it must be registered again. */
export function secretExpired(client: RegisteredClient, nowMs: number): boolean {
  const at = client.secretExpiresAt;
  return at !== undefined && at !== 0 && at * 1000 <= nowMs;
}

function registrationError(message: string): OAuthFlowError {
  return new OAuthFlowError('registration_err', message);
}
