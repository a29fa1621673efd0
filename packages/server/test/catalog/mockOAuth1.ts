/**
 * The catalog mock's OAuth 1.0a provider (RFC 5849, three-legged): signatures checked by oauth-sign
 * (../oauth/signedRequest.ts, independent of the server's signer) with the consumer secret the walk gave the entry's
 * integration, temporary tokens tied to their callback, verifiers checked.
 */
import { randomBytes } from 'node:crypto';
import { OAuth1Problem, readSignedRequest, signatureMatches, type SignedRequest } from '../oauth/signedRequest';
import { clientSecretOf, entryOfClientId } from './catalogEntries';
import { form, type MockAnswer, type MockRequest } from './mockHttp';
import type { RawEntry } from './nangoCatalog';

interface Temporary {
  readonly consumerKey: string;
  readonly secret: string;
  readonly callback: string;
  verifier?: string;
}

export class MockOAuth1 {
  private readonly temporary = new Map<string, Temporary>();

  constructor(
    private readonly entryOf: (name: string) => RawEntry | undefined,
    private readonly issued: (token: string) => void,
  ) {}

  /** Whether a request at an authorization or token URL is part of an OAuth 1.0a dance (not OAuth 2's). */
  owns(request: MockRequest): boolean {
    if (/^OAuth\s/i.test(request.headers.authorization ?? '')) return true;
    return this.temporary.has(request.url.searchParams.get('oauth_token') ?? '');
  }

  /** Section 2.1: a temporary token for a signed request that names its callback. */
  requestToken(request: MockRequest): MockAnswer {
    return this.signed(request, (signed) => {
      const consumerKey = this.check(signed, '');
      const callback = signed.oauth.get('oauth_callback');
      if (callback === undefined || !/^https?:\/\/[^/]/.test(callback)) {
        throw new OAuth1Problem('parameter_absent', 'the request has no absolute oauth_callback');
      }
      const token = `tt-${randomBytes(8).toString('hex')}`;
      const secret = randomBytes(16).toString('hex');
      this.temporary.set(token, { consumerKey, secret, callback });
      return { oauth_token: token, oauth_token_secret: secret, oauth_callback_confirmed: 'true' };
    });
  }

  /** Section 2.2: the user authorizes at once; back to the callback with the token and a verifier. */
  authorize(request: MockRequest): MockAnswer {
    const token = request.url.searchParams.get('oauth_token') ?? '';
    const temporary = this.temporary.get(token);
    if (!temporary) return { status: 400, body: 'oauth_token is no temporary token of ours' };
    temporary.verifier = randomBytes(8).toString('hex');
    const back = new URL(temporary.callback);
    back.searchParams.set('oauth_token', token);
    back.searchParams.set('oauth_verifier', temporary.verifier);
    return { status: 302, headers: { location: back.toString() } };
  }

  /** Section 2.3: the access token, for a request signed with the temporary token's secret and the verifier. */
  accessToken(request: MockRequest): MockAnswer {
    return this.signed(request, (signed) => {
      const token = signed.oauth.get('oauth_token') ?? '';
      const temporary = this.temporary.get(token);
      if (!temporary) throw new OAuth1Problem('token_rejected', 'oauth_token is no temporary token of ours');
      const consumerKey = this.check(signed, temporary.secret);
      if (consumerKey !== temporary.consumerKey) throw new OAuth1Problem('token_rejected', 'another consumer got this token');
      if (temporary.verifier === undefined || signed.oauth.get('oauth_verifier') !== temporary.verifier) {
        throw new OAuth1Problem('verifier_invalid', 'oauth_verifier is not the one the authorization gave');
      }
      this.temporary.delete(token);
      const accessToken = `at-${randomBytes(12).toString('hex')}`;
      this.issued(accessToken);
      return { oauth_token: accessToken, oauth_token_secret: randomBytes(16).toString('hex') };
    });
  }

  private signed(request: MockRequest, answer: (signed: SignedRequest) => Record<string, string>): MockAnswer {
    try {
      const { method, url, headers, body } = request;
      return form(200, answer(readSignedRequest(method, url, headers.authorization, headers['content-type'], body)));
    } catch (error) {
      if (!(error instanceof OAuth1Problem)) throw error;
      return form(error.status, { oauth_problem: error.reason, oauth_problem_advice: error.message });
    }
  }

  /** The consumer is one the walk made and the signature is right; returns the consumer key. */
  private check(signed: SignedRequest, tokenSecret: string): string {
    const consumerKey = signed.oauth.get('oauth_consumer_key') ?? '';
    const name = entryOfClientId(consumerKey);
    if (name === undefined || !this.entryOf(name)) throw new OAuth1Problem('consumer_key_unknown', 'unknown consumer key');
    if (!signatureMatches(signed, clientSecretOf(consumerKey), tokenSecret)) {
      throw new OAuth1Problem('signature_invalid', 'the signature does not match');
    }
    return consumerKey;
  }
}
