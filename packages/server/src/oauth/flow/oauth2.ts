import { addressRefusal, guardedFetchOptions } from '../../net/addressGuard';
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthClientConfig } from '../../integrations/IntegrationRegistry';
import { readTokenResponse, TokenEndpointError } from '../requestToken';
import { closedValues } from '../../providers/fieldDescriptions';
import { interpolateUrl, withQuery } from './interpolateUrl';
import { OAuthFlowError } from './OAuthFlowError';
import type { ConnectQuery } from './parseConnectQuery';
import { inHttpClientSpan } from '../../tracing/inHttpClientSpan';

/** A PKCE verifier (RFC 7636 4.1: 43 characters of base64url) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * The provider's authorize URL for one flow: client id, redirect URI, `response_type=code`, scopes joined by the
 * provider's separator, `state`, the catalog's authorization params, the request's own (`undefined` drops one),
 * `user_scope`, and the PKCE challenge unless the provider disables PKCE.
 * @throws OAuthFlowError `url_param_err`, `provider_config_err`
 */
export function authorizeUrl(
  client: OAuthClientConfig,
  query: Pick<ConnectQuery, 'params' | 'authorizationParams' | 'userScope'>,
  options: { state: string; callbackUrl: string; codeChallenge: string | undefined },
): string {
  const { provider } = client;
  if (!provider.authorization_url)
    throw new OAuthFlowError('provider_config_err', `Provider '${client.providerName}' has no authorization_url`);
  const base = interpolateUrl(provider.authorization_url, query.params, 'authorization_url', closedValues(provider));
  const params = new Map<string, string>([
    ['client_id', client.clientId],
    ['response_type', 'code'],
    ['redirect_uri', options.callbackUrl],
  ]);
  const scopes = client.scopes.length > 0 ? client.scopes : (provider.default_scopes ?? []);
  if (scopes.length > 0) params.set('scope', scopes.join(provider.scope_separator ?? ' '));
  params.set('state', options.state);
  for (const [name, value] of Object.entries(provider.authorization_params ?? {})) params.set(name, String(value));
  for (const [name, value] of Object.entries(query.authorizationParams)) {
    if (value === undefined) params.delete(name);
    else params.set(name, value);
  }
  if (query.userScope.length > 0) params.set('user_scope', query.userScope.join(','));
  if (options.codeChallenge !== undefined) {
    params.set('code_challenge', options.codeChallenge);
    params.set('code_challenge_method', 'S256');
  }
  // The flow's own values win over the catalog's and the request's: they are what the callback checks.
  params.set('state', options.state);
  params.set('redirect_uri', options.callbackUrl);
  params.set('client_id', client.clientId);
  return withQuery(base, params);
}

/** What the code exchange needs. */
export interface CodeExchange {
  readonly client: OAuthClientConfig;
  readonly code: string;
  readonly callbackUrl: string;
  readonly codeVerifier: string | undefined;
  readonly connectionConfig: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /**
   * Send through the address guard (net/addressGuard.ts): a token URL an MCP server the user named published
   * (MCP_OAUTH2_GENERIC), with NANGO_MCP_ALLOW_LOCAL_SERVERS as `allowPrivate`.
   */
  readonly guard?: { readonly allowPrivate: boolean } | undefined;
}

/**
 * The authorization-code grant (RFC 6749 4.1.3) at the provider's token URL: client credentials in the body, or as
 * Basic when the provider says `authorization_method: header` (or Nango's `token_request_auth_method: basic`);
 * form-encoded, or JSON with `body_format: json`. A 2xx answer without `access_token` is a failure. Answers may be
 * JSON or form-encoded (GitHub's, unless asked for JSON).
 * @returns the provider's token response
 * @throws OAuthFlowError `token_err` (message with the provider's error, secrets scrubbed), `url_param_err`,
 *   `provider_config_err`
 */
export async function exchangeCode(exchange: CodeExchange): Promise<Record<string, unknown>> {
  const { client, code } = exchange;
  const { provider } = client;
  if (!provider.token_url) throw new OAuthFlowError('provider_config_err', `Provider '${client.providerName}' has no token_url`);
  const url = interpolateUrl(provider.token_url, exchange.connectionConfig, 'token_url', closedValues(provider), {
    sendsIntegrationClient: true,
  });
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(provider.token_params ?? {})) {
    if (name !== 'grant_type' && typeof value !== 'object') fields[name] = String(value);
  }
  Object.assign(fields, { grant_type: 'authorization_code', code, redirect_uri: exchange.callbackUrl });
  if (exchange.codeVerifier !== undefined) fields['code_verifier'] = exchange.codeVerifier;
  const headers: Record<string, string> = { accept: 'application/json' };
  const basic =
    provider.authorization_method === 'header' ||
    (provider as { token_request_auth_method?: string }).token_request_auth_method === 'basic';
  if (basic) {
    const pair = `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    fields['client_id'] = client.clientId;
    // A public client (an MCP client registered with token_endpoint_auth_method `none`) has no secret to send.
    if (client.clientSecret !== '') fields['client_secret'] = client.clientSecret;
  }
  const json = provider.body_format === 'json';
  headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
  const body = json ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
  let status: number;
  let text: string;
  try {
    const guard = exchange.guard ? guardedFetchOptions(new URL(url), exchange.guard.allowPrivate) : {};
    const signal = AbortSignal.timeout(exchange.timeoutMs);
    const send = () => fetch(url, { ...guard, method: 'POST', headers, body, signal, redirect: 'error' });
    const response = await inHttpClientSpan('POST', url, send, { 'nango.token_request': 'oauth2' });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const refusal = addressRefusal(error);
    if (refusal) throw new OAuthFlowError('token_err', `The token endpoint may not be reached: ${refusal.message}`);
    throw new OAuthFlowError('token_err', `The token endpoint could not be reached: ${fetchFailure(error, exchange.timeoutMs)}`, {
      cause: error,
    });
  }
  const secrets = [code, exchange.codeVerifier, client.clientSecret];
  const formAnswer = status >= 200 && status < 300 && !text.trimStart().startsWith('{') ? formToJson(text) : undefined;
  try {
    return readTokenResponse(status, formAnswer ?? text, secrets);
  } catch (error) {
    if (error instanceof TokenEndpointError)
      throw new OAuthFlowError('token_err', `The token endpoint refused the code: ${error.message}`);
    throw error;
  }
}

/** A form-encoded token answer as JSON text, when it holds an access_token. */
function formToJson(text: string): string | undefined {
  const params = new URLSearchParams(text);
  return params.has('access_token') ? JSON.stringify(Object.fromEntries(params)) : undefined;
}

/** What went wrong reaching an endpoint, without the request (its body holds the code and the secret). */
export function fetchFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (typeof code === 'string') return code;
  return typeof cause?.message === 'string' ? cause.message : 'network error';
}

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 2.3.1 asks it before Basic). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
