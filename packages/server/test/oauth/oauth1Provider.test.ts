import { randomBytes } from 'node:crypto';
import { oauth1BaseString, oauth1Signature, percentEncode } from '../../src/signing/oauth1';
import { CONSUMER_KEY, CONSUMER_SECRET, OAuth1Provider } from './oauth1Provider';
import { readSignedRequest, signatureMatches } from './signedRequest';

// The test provider is only worth its tests if it refuses what a real provider refuses: these sign calls with the
// server's own signer (an implementation apart from oauth-sign's), then break one thing at a time.

interface Call {
  method?: string;
  path: string;
  /** Protocol parameters besides the consumer key, nonce, method, timestamp and version. */
  oauth: Record<string, string>;
  tokenSecret?: string;
  consumerSecret?: string;
  /** Protocol parameters to change after signing, or (undefined) to leave out of the header. */
  after?: Record<string, string | undefined>;
  /** Sent as a form body and signed. */
  form?: Record<string, string>;
  /** Sent as a form body but left out of the signature. */
  unsignedForm?: Record<string, string>;
}

/** Signs `call` as an OAuth 1.0a client would and sends it; the provider's status and answer. */
async function send(provider: OAuth1Provider, call: Call): Promise<{ status: number; answer: URLSearchParams }> {
  const method = call.method ?? 'POST';
  const url = `${provider.url}${call.path}`;
  const params: Record<string, string> = {
    oauth_consumer_key: CONSUMER_KEY,
    oauth_nonce: randomBytes(8).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_version: '1.0',
    ...call.oauth,
  };
  const base = oauth1BaseString(method, url, [...Object.entries(params), ...Object.entries(call.form ?? {})]);
  params['oauth_signature'] = oauth1Signature(base, call.consumerSecret ?? CONSUMER_SECRET, call.tokenSecret ?? '');
  for (const [name, value] of Object.entries(call.after ?? {})) {
    if (value === undefined) delete params[name];
    else params[name] = value;
  }
  const authorization = `OAuth realm="test", ${Object.entries(params)
    .map(([name, value]) => `${name}="${percentEncode(value)}"`)
    .join(', ')}`;
  const form = call.unsignedForm ?? call.form;
  const response = await fetch(url, {
    method,
    headers: { authorization, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: response.status, answer: new URLSearchParams(await response.text()) };
}

const CALLBACK = 'http://127.0.0.1:9/oauth/callback?state=s1';

describe('the OAuth 1.0a test provider', () => {
  let provider: OAuth1Provider;
  beforeEach(async () => {
    provider = await OAuth1Provider.start();
  });
  afterEach(async () => {
    await provider.stop();
  });

  /** A temporary token, authorized: its secret and the verifier the callback got. */
  async function authorizedToken(): Promise<{ token: string; secret: string; verifier: string }> {
    const { status, answer } = await send(provider, { path: '/request_token', oauth: { oauth_callback: CALLBACK } });
    expect(status).toBe(200);
    const token = answer.get('oauth_token') ?? '';
    const authorized = await fetch(`${provider.url}/authorize?oauth_token=${token}`, { redirect: 'manual' });
    expect(authorized.status).toBe(302);
    const location = new URL(authorized.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}?state=${location.searchParams.get('state')}`).toBe(CALLBACK);
    expect(location.searchParams.get('oauth_token')).toBe(token);
    return { token, secret: answer.get('oauth_token_secret') ?? '', verifier: location.searchParams.get('oauth_verifier') ?? '' };
  }

  it('accepts the RFC 5849 section 1.2 request with its published signature, realm left out', () => {
    const request = readSignedRequest(
      'GET',
      new URL('http://photos.example.net/photos?file=vacation.jpg&size=original'),
      'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", ' +
        'oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"',
      undefined,
      '',
    );
    expect(signatureMatches(request, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00')).toBe(true);
    expect(signatureMatches(request, 'kd94hf93k423kf44', 'not-the-token-secret')).toBe(false);
    expect(signatureMatches(request, 'not-the-consumer-secret', 'pfkkdhi9sl3r4s00')).toBe(false);
  });

  it('runs the three legs when every call is signed right, and spends the temporary token', async () => {
    const { token, secret, verifier } = await authorizedToken();
    const access = { path: '/access_token', oauth: { oauth_token: token, oauth_verifier: verifier }, tokenSecret: secret };
    const { status, answer } = await send(provider, access);
    expect(status).toBe(200);
    expect(answer.get('oauth_token')).toMatch(/^at-/);
    expect(answer.get('oauth_token_secret')).toMatch(/^[0-9a-f]{32}$/);
    expect(await send(provider, access)).toMatchObject({ status: 401 });
    expect(await provider.calls()).toEqual([
      { endpoint: '/request_token', ok: true },
      { endpoint: '/access_token', ok: true },
      { endpoint: '/access_token', ok: false, reason: 'token_rejected' },
    ]);
  });

  it('refuses a signature made with the wrong consumer secret, or over a parameter changed after signing', async () => {
    const wrongSecret = await send(provider, {
      path: '/request_token',
      oauth: { oauth_callback: CALLBACK },
      consumerSecret: 'not-the-secret',
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.answer.get('oauth_problem')).toBe('signature_invalid');
    const changed = await send(provider, {
      path: '/request_token',
      oauth: { oauth_callback: CALLBACK },
      after: { oauth_callback: 'http://127.0.0.1:9/elsewhere' },
    });
    expect(changed.answer.get('oauth_problem')).toBe('signature_invalid');
    const unsignedBody = await send(provider, {
      path: '/request_token',
      oauth: { oauth_callback: CALLBACK },
      form: { x: '1' },
      unsignedForm: { x: '2' },
    });
    expect(unsignedBody.answer.get('oauth_problem')).toBe('signature_invalid');
    const signedBody = await send(provider, { path: '/request_token', oauth: { oauth_callback: CALLBACK }, form: { x: '1' } });
    expect(signedBody.status).toBe(200);
  });

  it('refuses an access token call signed without the temporary secret, or with a wrong verifier', async () => {
    const { token, secret, verifier } = await authorizedToken();
    const noTokenSecret = await send(provider, {
      path: '/access_token',
      oauth: { oauth_token: token, oauth_verifier: verifier },
    });
    expect(noTokenSecret.answer.get('oauth_problem')).toBe('signature_invalid');
    const wrongVerifier = await send(provider, {
      path: '/access_token',
      oauth: { oauth_token: token, oauth_verifier: 'guessed' },
      tokenSecret: secret,
    });
    expect(wrongVerifier).toMatchObject({ status: 401 });
    expect(wrongVerifier.answer.get('oauth_problem')).toBe('verifier_invalid');
  });

  it('refuses an access token call before the user authorized, and one for a token it never gave', async () => {
    const { answer } = await send(provider, { path: '/request_token', oauth: { oauth_callback: CALLBACK } });
    const token = answer.get('oauth_token') ?? '';
    const early = await send(provider, {
      path: '/access_token',
      oauth: { oauth_token: token, oauth_verifier: '' },
      tokenSecret: answer.get('oauth_token_secret') ?? '',
    });
    expect(early.answer.get('oauth_problem')).toBe('verifier_invalid');
    const unknown = await send(provider, { path: '/access_token', oauth: { oauth_token: 'rt-made-up', oauth_verifier: 'v' } });
    expect(unknown.answer.get('oauth_problem')).toBe('token_rejected');
  });

  it('wants a nonce, a fresh timestamp, a nonce not used before, and a callback', async () => {
    const request = { path: '/request_token', oauth: { oauth_callback: CALLBACK } };
    const noNonce = await send(provider, { ...request, after: { oauth_nonce: undefined } });
    expect(noNonce).toMatchObject({ status: 400 });
    expect(noNonce.answer.get('oauth_problem_advice')).toBe('the request has no oauth_nonce');
    const noTimestamp = await send(provider, { ...request, after: { oauth_timestamp: undefined } });
    expect(noTimestamp.answer.get('oauth_problem')).toBe('parameter_absent');
    const anHourAgo = String(Math.floor(Date.now() / 1000) - 3600);
    const stale = await send(provider, { path: '/request_token', oauth: { ...request.oauth, oauth_timestamp: anHourAgo } });
    expect(stale).toMatchObject({ status: 401 });
    expect(stale.answer.get('oauth_problem')).toBe('timestamp_refused');
    const once = {
      path: '/request_token',
      oauth: { ...request.oauth, oauth_nonce: 'n1', oauth_timestamp: String(Math.floor(Date.now() / 1000)) },
    };
    expect((await send(provider, once)).status).toBe(200);
    expect((await send(provider, once)).answer.get('oauth_problem')).toBe('nonce_used');
    const noCallback = await send(provider, { path: '/request_token', oauth: {} });
    expect(noCallback.answer.get('oauth_problem_advice')).toBe('the request has no oauth_callback');
  });

  it('refuses an unknown consumer, another signature method and a header it cannot read, naming the problem', async () => {
    const request = { path: '/request_token', oauth: { oauth_callback: CALLBACK } };
    const stranger = await send(provider, { ...request, oauth: { ...request.oauth, oauth_consumer_key: 'stranger' } });
    expect(stranger.answer.get('oauth_problem')).toBe('consumer_key_unknown');
    const plaintext = await send(provider, { ...request, after: { oauth_signature_method: 'PLAINTEXT' } });
    expect(plaintext).toMatchObject({ status: 400 });
    expect(plaintext.answer.get('oauth_problem')).toBe('signature_method_rejected');
    const garbled = await fetch(`${provider.url}/request_token`, {
      method: 'POST',
      headers: { authorization: 'OAuth oauth_consumer_key="a", oops' },
    });
    expect(garbled.status).toBe(400);
    expect(new URLSearchParams(await garbled.text()).get('oauth_problem_advice')).toBe(
      'the Authorization header cannot be read from character 30',
    );
    const none = await fetch(`${provider.url}/request_token`, { method: 'POST' });
    expect(new URLSearchParams(await none.text()).get('oauth_problem')).toBe('parameter_absent');
  });
});
