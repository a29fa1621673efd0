/**
 * An OAuth 1.0a provider (RFC 5849, three-legged) for the OAuth flow tests, on 127.0.0.1 in the test's own process:
 *
 *   POST /request_token   signed with the consumer secret alone, with oauth_callback: a temporary token and secret
 *   GET  /authorize       ?oauth_token=…: redirects to the callback with oauth_token and oauth_verifier;
 *                         with decision=deny, with denied=<token> instead (as Twitter does)
 *   POST /access_token    signed with the consumer secret and the temporary token's secret, with the verifier:
 *                         the access token (the temporary token is spent)
 *
 * It checks what a real provider checks: the consumer key, the HMAC-SHA1 signature (by oauth-sign, see
 * signedRequest.ts), a timestamp within five minutes, a nonce never seen before with that timestamp and token, the
 * callback, the token and the verifier. A refused call is answered 400 or 401 with `oauth_problem=<reason>`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth1Problem, readSignedRequest, signatureMatches, type SignedRequest } from './signedRequest';

export const CONSUMER_KEY = 'nango-oauth1-consumer';
export const CONSUMER_SECRET = 'oauth1-consumer-secret-do-not-log';

/** How far a request's oauth_timestamp may be from the provider's clock, in seconds (Twitter allows about as much). */
const CLOCK_SKEW_SECONDS = 300;
/** Larger bodies are refused unread: no request of the flow comes near. */
const MAX_BODY_BYTES = 64 * 1024;

/** One call the provider answered: whether its signature, token and verifier checked out, and if not why. */
export interface OAuth1Call {
  endpoint: string;
  ok: boolean;
  reason?: string;
}

interface Temporary {
  secret: string;
  callback: string;
  /** Set once the user has authorized the token; the access token call must bring it back. */
  verifier?: string;
}

/** The provider; `start()` listens on an ephemeral port, `stop()` closes it. */
export class OAuth1Provider {
  private readonly temporary = new Map<string, Temporary>();
  private readonly nonces = new Set<string>();
  private readonly recorded: OAuth1Call[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OAuth1Provider> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const provider = new OAuth1Provider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void provider.handle(req, res));
    return provider;
  }

  /** Every token call so far, in order. Async as callers await it; the answer is already at hand. */
  async calls(): Promise<OAuth1Call[]> {
    return this.recorded.map((call) => ({ ...call }));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = URL.parse(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url === null) return reply(res, 400, 'text/plain', 'the request line or Host header is not a URL');
    try {
      if (url.pathname === '/authorize' && req.method === 'GET') return this.authorize(url, res);
      if (url.pathname !== '/request_token' && url.pathname !== '/access_token') return reply(res, 404, 'text/plain', '');
      const body = await readBody(req);
      if (body === undefined) return reply(res, 413, 'text/plain', 'body too large');
      const signed = readSignedRequest(req.method ?? 'GET', url, req.headers.authorization, req.headers['content-type'], body);
      const answer = url.pathname === '/request_token' ? this.requestToken(signed) : this.accessToken(signed);
      this.recorded.push({ endpoint: url.pathname, ok: true });
      reply(res, 200, 'application/x-www-form-urlencoded', new URLSearchParams(answer).toString());
    } catch (error) {
      if (!(error instanceof OAuth1Problem)) {
        // Recorded, not thrown: nothing awaits this handler, and the test that reads calls() sees what broke.
        this.recorded.push({ endpoint: url.pathname, ok: false, reason: `provider_failed: ${String(error)}` });
        return reply(res, 500, 'text/plain', 'the test provider failed');
      }
      this.recorded.push({ endpoint: url.pathname, ok: false, reason: error.reason });
      const body = new URLSearchParams({ oauth_problem: error.reason, oauth_problem_advice: error.message }).toString();
      reply(res, error.status, 'application/x-www-form-urlencoded', body);
    }
  }

  /** RFC 5849 section 2.1. */
  private requestToken(signed: SignedRequest): Record<string, string> {
    this.checkSigned(signed, '');
    const callback = signed.oauth.get('oauth_callback');
    if (callback === undefined) throw new OAuth1Problem('parameter_absent', 'the request has no oauth_callback');
    if (callback !== 'oob' && !/^https?:\/\/[^/]/.test(callback)) {
      throw new OAuth1Problem('parameter_rejected', 'oauth_callback is neither an absolute http(s) URL nor oob');
    }
    const token = `rt-${randomBytes(8).toString('hex')}`;
    const secret = randomBytes(16).toString('hex');
    this.temporary.set(token, { secret, callback });
    return { oauth_token: token, oauth_token_secret: secret, oauth_callback_confirmed: 'true' };
  }

  /** Section 2.3. */
  private accessToken(signed: SignedRequest): Record<string, string> {
    const token = signed.oauth.get('oauth_token');
    if (token === undefined) throw new OAuth1Problem('parameter_absent', 'the request has no oauth_token');
    const entry = this.temporary.get(token);
    if (entry === undefined) throw new OAuth1Problem('token_rejected', 'oauth_token is no temporary token of ours');
    this.checkSigned(signed, entry.secret);
    const verifier = signed.oauth.get('oauth_verifier');
    if (verifier === undefined) throw new OAuth1Problem('parameter_absent', 'the request has no oauth_verifier');
    if (entry.verifier === undefined || verifier !== entry.verifier) {
      throw new OAuth1Problem('verifier_invalid', 'oauth_verifier is not the one the authorization gave');
    }
    this.temporary.delete(token);
    return {
      oauth_token: `at-${randomBytes(8).toString('hex')}`,
      oauth_token_secret: randomBytes(16).toString('hex'),
      user_id: '42',
    };
  }

  /**
   * The consumer, the timestamp, the signature and then the nonce: a forged request must not spend a nonce, and a
   * replayed one has a good signature.
   */
  private checkSigned(signed: SignedRequest, tokenSecret: string): void {
    const consumerKey = signed.oauth.get('oauth_consumer_key');
    if (consumerKey !== CONSUMER_KEY) throw new OAuth1Problem('consumer_key_unknown', 'oauth_consumer_key is unknown');
    const timestamp = Number(signed.oauth.get('oauth_timestamp'));
    if (Math.abs(Date.now() / 1000 - timestamp) > CLOCK_SKEW_SECONDS) {
      throw new OAuth1Problem('timestamp_refused', `oauth_timestamp is more than ${CLOCK_SKEW_SECONDS} s from now`);
    }
    if (!signatureMatches(signed, CONSUMER_SECRET, tokenSecret)) {
      throw new OAuth1Problem('signature_invalid', 'oauth_signature does not match the request');
    }
    // Section 3.3: unique per timestamp, client credentials and token.
    const nonce = JSON.stringify([
      consumerKey,
      signed.oauth.get('oauth_token') ?? '',
      timestamp,
      signed.oauth.get('oauth_nonce'),
    ]);
    if (this.nonces.has(nonce)) throw new OAuth1Problem('nonce_used', 'oauth_nonce was used before with this timestamp');
    this.nonces.add(nonce);
  }

  /** Section 2.2, with the user's answer already given: `decision=deny` refuses. */
  private authorize(url: URL, res: ServerResponse): void {
    const token = url.searchParams.get('oauth_token') ?? '';
    const entry = this.temporary.get(token);
    if (entry === undefined) return reply(res, 400, 'text/plain', 'unknown oauth_token');
    if (url.searchParams.get('decision') === 'deny') return redirect(res, entry.callback, { denied: token });
    entry.verifier = randomBytes(8).toString('hex');
    // Out of band: the user would copy the verifier from the page.
    if (entry.callback === 'oob') return reply(res, 200, 'text/plain', entry.verifier);
    redirect(res, entry.callback, { oauth_token: token, oauth_verifier: entry.verifier });
  }
}

/** To the callback with `params` appended: its own query is passed on as it came, never re-encoded. */
function redirect(res: ServerResponse, callback: string, params: Record<string, string>): void {
  const location = `${callback}${callback.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
  res.writeHead(302, { location }).end();
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}

/** The whole body as text, or undefined past MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString();
}
