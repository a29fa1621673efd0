import { randomBytes } from 'node:crypto';
import type { OAuthClientConfig } from '../../integrations/IntegrationRegistry';
import { oauth1BaseString, oauth1Signature, percentEncode } from '../../signing/oauth1';
import { closedValues } from '../../providers/fieldDescriptions';
import { interpolateUrl, withQuery } from './interpolateUrl';
import { fetchFailure } from './oauth2';
import { OAuthFlowError, type OAuthErrorType } from './OAuthFlowError';
import { inHttpClientSpan } from '../../tracing/inHttpClientSpan';

/** A temporary or access token with its secret, and the provider's whole answer. */
export interface OAuth1Token {
  readonly token: string;
  readonly secret: string;
  readonly raw: Record<string, string>;
}

/**
 * Step 1 of OAuth 1.0a (RFC 5849 2.1): a temporary token from the provider's request_url, signed with the consumer
 * key and secret, announcing `callbackUrl`; the catalog's request_params ride in the query.
 * @throws OAuthFlowError `req_token_err`, `provider_config_err`, `url_param_err`
 */
export async function requestTemporaryToken(
  client: OAuthClientConfig,
  callbackUrl: string,
  config: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<OAuth1Token> {
  const { provider } = client;
  checkSignatureMethod(client);
  if (!provider.request_url)
    throw new OAuthFlowError('provider_config_err', `Provider '${client.providerName}' has no request_url`);
  const url = withQuery(
    interpolateUrl(provider.request_url, config, 'request_url', closedValues(provider), { sendsIntegrationClient: true }),
    Object.entries(provider.request_params ?? {}),
  );
  const method = (provider.request_http_method ?? 'POST').toUpperCase();
  return call('req_token_err', 'request token', method, url, client, { oauth_callback: callbackUrl }, undefined, timeoutMs);
}

/** Step 2: where to send the user, with the temporary token, the scopes and the catalog's authorization params. */
export function oauth1AuthorizeUrl(
  client: OAuthClientConfig,
  temporaryToken: string,
  config: Readonly<Record<string, string>>,
): string {
  const { provider } = client;
  if (!provider.authorization_url)
    throw new OAuthFlowError('provider_config_err', `Provider '${client.providerName}' has no authorization_url`);
  const params = new Map<string, string>([['oauth_token', temporaryToken]]);
  const scopes = client.scopes.length > 0 ? client.scopes : (provider.default_scopes ?? []);
  if (scopes.length > 0) params.set('scope', scopes.join(provider.scope_separator ?? ' '));
  for (const [name, value] of Object.entries(provider.authorization_params ?? {})) params.set(name, String(value));
  return withQuery(interpolateUrl(provider.authorization_url, config, 'authorization_url', closedValues(provider)), params);
}

/**
 * Step 3 (RFC 5849 2.3): the access token for the verifier, signed with the temporary token and its secret.
 * @throws OAuthFlowError `token_err`
 */
export async function requestAccessToken(
  client: OAuthClientConfig,
  temporary: { token: string; secret: string },
  verifier: string,
  config: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<OAuth1Token> {
  const { provider } = client;
  if (!provider.token_url) throw new OAuthFlowError('provider_config_err', `Provider '${client.providerName}' has no token_url`);
  const params = Object.entries(provider.token_params ?? {}).filter(([, value]) => typeof value !== 'object');
  const url = withQuery(
    interpolateUrl(provider.token_url, config, 'token_url', closedValues(provider), { sendsIntegrationClient: true }),
    params.map(([name, value]) => [name, String(value)] as const),
  );
  const method = (provider.token_http_method ?? 'POST').toUpperCase();
  return call(
    'token_err',
    'access token',
    method,
    url,
    client,
    { oauth_token: temporary.token, oauth_verifier: verifier },
    temporary.secret,
    timeoutMs,
  );
}

function checkSignatureMethod(client: OAuthClientConfig): void {
  const method = client.provider.signature_method ?? 'HMAC-SHA1';
  if (method !== 'HMAC-SHA1') {
    throw new OAuthFlowError(
      'provider_config_err',
      `Provider '${client.providerName}' signs with ${method}; only HMAC-SHA1 is supported`,
    );
  }
}

/** One signed call whose answer is a form-encoded token and secret. */
async function call(
  failure: OAuthErrorType,
  what: string,
  method: string,
  url: string,
  client: OAuthClientConfig,
  extra: Record<string, string>,
  tokenSecret: string | undefined,
  timeoutMs: number,
): Promise<OAuth1Token> {
  const oauthParams: [string, string][] = [
    ['oauth_consumer_key', client.clientId],
    ['oauth_nonce', randomBytes(16).toString('hex')],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(Math.floor(Date.now() / 1000))],
    ['oauth_version', '1.0'],
    ...Object.entries(extra),
  ];
  const base = oauth1BaseString(method, url, oauthParams);
  oauthParams.push(['oauth_signature', oauth1Signature(base, client.clientSecret, tokenSecret ?? '')]);
  const authorization = `OAuth ${oauthParams.map(([name, value]) => `${name}="${percentEncode(value)}"`).join(', ')}`;
  let status: number;
  let text: string;
  try {
    const send = () =>
      fetch(url, { method, headers: { authorization }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const response = await inHttpClientSpan(method, url, send, { 'nango.token_request': 'oauth1' });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new OAuthFlowError(failure, `The ${what} call could not reach the provider: ${fetchFailure(error, timeoutMs)}`, {
      cause: error,
    });
  }
  const raw = Object.fromEntries(new URLSearchParams(text));
  const token = raw['oauth_token'];
  const secret = raw['oauth_token_secret'];
  if (status < 200 || status >= 300 || !token || !secret) {
    // The answer is not quoted: a failing provider may echo what it was sent.
    throw new OAuthFlowError(
      failure,
      `The provider answered the ${what} call with HTTP ${status}${token && secret ? '' : ' and no oauth_token and oauth_token_secret'}`,
    );
  }
  return { token, secret, raw };
}
