import { readTokenResponse, TokenEndpointError } from '../../src/oauth/requestToken';
import { refreshedCredentials } from '../../src/oauth/refreshedCredentials';
import { resolveRefresherOptions } from '../../src/refresh/RefresherOptions';

/** The kind and message readTokenResponse fails with. */
function failureOf(status: number, body: unknown, secrets: (string | undefined)[] = []): { kind: string; message: string } {
  try {
    readTokenResponse(status, typeof body === 'string' ? body : JSON.stringify(body), secrets);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenEndpointError);
    return { kind: (error as TokenEndpointError).kind, message: (error as Error).message };
  }
  throw new Error('expected a failure');
}

describe('readTokenResponse', () => {
  it('returns a JSON object with an access token', () => {
    expect(readTokenResponse(200, '{"access_token":"a","expires_in":3600}')).toEqual({ access_token: 'a', expires_in: 3600 });
  });

  it.each([
    [400, { error: 'invalid_grant', error_description: 'revoked' }, 'rejected', 'invalid_grant: revoked'],
    [401, { error: 'unauthorized_client' }, 'rejected', 'unauthorized_client'],
    [400, { error: 'invalid_token' }, 'rejected', 'invalid_token'],
    [401, { error: 'invalid_client' }, 'refused', 'HTTP 401 invalid_client'],
    [403, { error: 'invalid_grant' }, 'refused', 'HTTP 403 invalid_grant'],
    [404, '<html>Not Found</html>', 'refused', 'HTTP 404'],
    [200, '{"token":"no access_token here"}', 'refused', 'HTTP 200 without an access_token in a JSON object'],
    [200, 'access_token=a&token_type=bearer', 'refused', 'HTTP 200 without an access_token in a JSON object'],
    [503, { error: 'temporarily_unavailable' }, 'transient', 'HTTP 503 temporarily_unavailable'],
    [500, 'oops', 'transient', 'HTTP 500'],
    [429, {}, 'transient', 'HTTP 429'],
    [408, {}, 'transient', 'HTTP 408'],
  ])('classifies HTTP %i %j as %s', (status, body, kind, message) => {
    expect(failureOf(status, body)).toEqual({ kind, message });
  });

  it('escapes a NUL in the provider reason: it is stored on the Connection, and PostgreSQL text cannot hold one', () => {
    const body = { error: 'invalid_grant', error_description: 'bad\u0000grant' };
    expect(failureOf(400, body)).toEqual({ kind: 'rejected', message: 'invalid_grant: bad\\u0000grant' });
    expect(failureOf(503, body).message).toBe('HTTP 503 invalid_grant: bad\\u0000grant');
  });

  it('scrubs the refresh token, access token, client secret and client id from the provider reason', () => {
    const body = {
      error: 'invalid_grant',
      error_description: 'rt-1 (client app, secret app-secret) or at-2 refused; rt-1 again',
    };
    expect(failureOf(400, body, ['rt-1', 'at-2', 'app-secret', 'app', undefined])).toEqual({
      kind: 'rejected',
      message: 'invalid_grant: [redacted] (client [redacted], secret [redacted]) or [redacted] refused; [redacted] again',
    });
    expect(failureOf(503, { error: 'unavailable', error_description: 'for rt-1' }, ['rt-1']).message).toBe(
      'HTTP 503 unavailable: for [redacted]',
    );
  });

  it('scrubs a refresh token the provider echoes URL-encoded, form-encoded, in base64 or in part', () => {
    const token = 'rt/8f3+Kq9~zX=pL2 wQ7&v';
    const clientSecret = 'cs-0123456789abcdef';
    const echoes = [
      encodeURIComponent(token),
      new URLSearchParams({ t: token }).toString().slice(2),
      Buffer.from(token).toString('base64'),
      Buffer.from(token).toString('base64url'),
      Buffer.from(`app:${token}`).toString('base64'), // inside a longer base64 string, at another offset
      Buffer.from(`ab:${clientSecret}`).toString('base64'),
      token.slice(0, 12),
      token.slice(5, 17),
      clientSecret.slice(3),
    ];
    for (const echo of echoes) {
      const { message } = failureOf(400, { error: 'invalid_grant', error_description: `bad token <${echo}> sent` }, [
        token,
        clientSecret,
      ]);
      // Inside a longer base64 string, at most the groups that encode only bytes before the secret stay.
      const prefix = echo.startsWith('YXBw') ? 'YXBw' : '';
      expect([echo, message]).toEqual([echo, `invalid_grant: bad token <${prefix}[redacted]> sent`]);
    }
    // Short runs and other text stay: only echoes are scrubbed.
    expect(failureOf(400, { error: 'invalid_grant', error_description: 'token rt/8f3 expired' }, [token]).message).toBe(
      'invalid_grant: token rt/8f3 expired',
    );
  });

  it('scrubs before it cuts, so no part of a secret at the cut is left', () => {
    const secret = 's'.repeat(20);
    const { message } = failureOf(400, { error: 'invalid_grant', error_description: `${'x'.repeat(280)}${secret}` }, [secret]);
    expect(message).toBe(`invalid_grant: ${'x'.repeat(280)}[reda`);
  });

  it('quotes at most 300 characters of the provider reason', () => {
    const { message } = failureOf(400, { error: 'invalid_grant', error_description: 'x'.repeat(1_000) });
    expect(message).toHaveLength(300);
  });
});

describe('refreshedCredentials', () => {
  const previous = { access_token: 'old', refresh_token: 'old-r', expires_at: '2020-01-01T00:00:00.000Z', raw: { x: 1 } };

  it('stores the new tokens, the expiry from expires_in, and the response as raw', () => {
    const response = { access_token: 'new', refresh_token: 'new-r', expires_in: '60', scope: 's' };
    expect(refreshedCredentials(previous, response, Date.UTC(2030, 0, 1))).toEqual({
      access_token: 'new',
      refresh_token: 'new-r',
      expires_at: '2030-01-01T00:01:00.000Z',
      raw: response,
    });
  });

  it('keeps the old refresh token when none is sent, and no expiry when none is said', () => {
    expect(refreshedCredentials(previous, { access_token: 'new', expires_in: 'soon' })).toEqual({
      access_token: 'new',
      refresh_token: 'old-r',
      raw: { access_token: 'new', expires_in: 'soon' },
    });
  });
});

describe('resolveRefresherOptions', () => {
  it('fills in the defaults, whose lease outlasts the slowest refresh', () => {
    expect(resolveRefresherOptions()).toMatchObject({
      requestTimeoutMs: 10_000,
      attempts: 3,
      leaseMs: 45_000,
      cooldownMs: 30_000,
    });
  });

  it('refuses a lease shorter than the slowest refresh', () => {
    expect(() => resolveRefresherOptions({ leaseMs: 30_000 })).toThrow('leaseMs (30000) must be longer than the slowest refresh');
  });
});
