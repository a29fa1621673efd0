import { createHmac, timingSafeEqual } from 'node:crypto';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';

/** One consumer (integration record) and the tokens it issued, as NetSuite keeps them for an account. */
export interface NetSuiteAccount {
  /** The realm requests must name: the account id upper case, `-` as `_`. */
  readonly realm: string;
  readonly consumers: Readonly<Record<string, string>>;
  readonly tokens: Readonly<Record<string, string>>;
}

/** RFC 3986 percent-encoding, as OAuth 1.0a wants it. */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Why NetSuite would refuse this request's token-based authentication, or undefined when it would accept it. Written
 * apart from the server's signer (signing/oauth1.ts): the header is parsed, the base string rebuilt from what arrived
 * (query and form body included, the realm and signature left out) and the HMAC-SHA256 recomputed with the secrets the
 * account holds.
 */
export function tbaRefusal(request: RecordedRequest, origin: string, account: NetSuiteAccount): string | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('OAuth ')) return 'no OAuth Authorization header';
  const fields = new Map(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, decodeURIComponent(m[2] as string)]),
  );
  if (fields.get('realm') !== account.realm) return `realm ${fields.get('realm') ?? '(none)'} is not ${account.realm}`;
  if (fields.get('oauth_signature_method') !== 'HMAC-SHA256') return 'not signed with HMAC-SHA256';
  const consumerSecret = account.consumers[fields.get('oauth_consumer_key') ?? ''];
  const tokenSecret = account.tokens[fields.get('oauth_token') ?? ''];
  if (consumerSecret === undefined) return 'unknown consumer key';
  if (tokenSecret === undefined) return 'unknown token';
  if (!fields.get('oauth_nonce') || !/^\d+$/.test(fields.get('oauth_timestamp') ?? '')) return 'no nonce or timestamp';
  const url = new URL(request.url, origin);
  const signed = [...fields].filter(([name]) => name !== 'oauth_signature' && name !== 'realm');
  const form = /^application\/x-www-form-urlencoded/.test(request.headers['content-type'] ?? '');
  const params = [...url.searchParams, ...signed, ...(form ? new URLSearchParams(request.body) : [])];
  const pairs = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).sort();
  const base = [request.method, enc(`${url.origin}${url.pathname}`), enc(pairs.join('&'))].join('&');
  const expected = createHmac('sha256', `${enc(consumerSecret)}&${enc(tokenSecret)}`)
    .update(base)
    .digest();
  const given = Buffer.from(fields.get('oauth_signature') ?? '', 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature mismatch';
}

/**
 * A local NetSuite REST API: 401 with NetSuite's error shape unless tbaRefusal finds nothing wrong, then `answer`.
 * `refusals` lists each refusal as `<oauth_token>: <reason>`.
 */
export async function startNetSuiteMock(
  account: NetSuiteAccount,
  answer: (request: RecordedRequest) => unknown = () => ({ items: [{ id: '1', name: 'Acme Corp' }] }),
): Promise<ApiServer & { refusals: string[] }> {
  const refusals: string[] = [];
  let origin = '';
  const server = await startApiServer((request) => {
    const refusal = tbaRefusal(request, origin, account);
    if (refusal) {
      const token = /oauth_token="([^"]*)"/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      refusals.push(`${decodeURIComponent(token)}: ${refusal}`);
      return { status: 401, body: { 'o:errorDetails': [{ detail: 'Invalid login attempt.', 'o:errorCode': 'INVALID_LOGIN' }] } };
    }
    return { body: answer(request) };
  });
  origin = server.url;
  return Object.assign(server, { refusals });
}
