import { formEncode, postToTokenEndpoint, readTokenResponse } from './requestToken';

/**
 * How the client proves who it is at the token URL (RFC 6749 2.3.1, RFC 7523 2.2):
 * - `basic`: an HTTP Basic Authorization header of the form-encoded id and secret;
 * - `body`: `client_id` and `client_secret` among the parameters;
 * - `assertion`: `client_assertion_type` and `client_assertion`, a JWT the client signed (private_key_jwt).
 */
export type ClientAuthentication =
  | { readonly method: 'basic'; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: 'body'; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: 'assertion'; readonly clientId: string; readonly assertion: string };

/** One client-credentials token request (RFC 6749 4.4). */
export interface ClientCredentialsRequest {
  readonly tokenUrl: string;
  readonly client: ClientAuthentication;
  /** The grant's parameters: `grant_type` (default client_credentials), scope, audience, … as the catalog gives them. */
  readonly params: Readonly<Record<string, string>>;
  /** How the parameters travel: a form body (RFC 6749's, the default), a JSON body, or the URL's query. */
  readonly bodyFormat: 'form' | 'json' | 'query';
  /** Headers the catalog adds to the token request (`token_headers`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** The token URL's host is one a user typed: the request goes through the address guard (net/addressGuard.ts). */
  readonly userHost?: boolean;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * One POST of a client-credentials grant, with a time limit.
 * @returns the provider's token response (a JSON object with an access_token)
 * @throws TokenEndpointError (see readTokenResponse): its message quotes no secret
 */
export async function requestClientCredentials(request: ClientCredentialsRequest): Promise<Record<string, unknown>> {
  const { client } = request;
  const params: Record<string, string> = { grant_type: 'client_credentials', ...request.params };
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  if (client.method === 'basic') {
    const pair = `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else if (client.method === 'body') {
    params['client_id'] = client.clientId;
    params['client_secret'] = client.clientSecret;
  } else {
    params['client_assertion_type'] = ASSERTION_TYPE;
    params['client_assertion'] = client.assertion;
  }
  const url = new URL(request.tokenUrl);
  let body: string | undefined;
  if (request.bodyFormat === 'query') {
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  } else if (request.bodyFormat === 'json') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(params);
  } else {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    body = new URLSearchParams(params).toString();
  }
  const { status, text } = await postToTokenEndpoint(url, {
    headers,
    body,
    timeoutMs: request.timeoutMs,
    guard: request.userHost === true ? {} : undefined,
    kind: 'client_credentials',
    shown: request.tokenUrl,
  });
  const secrets = [client.clientId, 'assertion' in client ? client.assertion : client.clientSecret];
  return readTokenResponse(status, text, secrets);
}
