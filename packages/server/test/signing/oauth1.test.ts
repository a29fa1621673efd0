import { oauth1AuthorizationHeader, oauth1BaseString, oauth1Signature, percentEncode } from '../../src/signing/oauth1';

/** Reads the quoted, percent-encoded values of an `Authorization: OAuth ...` header back into plain strings. */
function parseOAuthHeader(header: string): Record<string, string> {
  expect(header.startsWith('OAuth ')).toBe(true);
  const fields: Record<string, string> = {};
  for (const [, name, value] of header.slice('OAuth '.length).matchAll(/([a-z_]+)="([^"]*)"/g)) {
    fields[name!] = decodeURIComponent(value!);
  }
  return fields;
}

describe('percentEncode', () => {
  it("encodes everything but RFC 3986 unreserved characters, including !'()*", () => {
    expect(percentEncode("AZaz09-._~!'()* +/=&%é")).toBe('AZaz09-._~%21%27%28%29%2A%20%2B%2F%3D%26%25%C3%A9');
  });
});

describe('oauth1BaseString', () => {
  it('reproduces the RFC 5849 section 3.4.1.1 example (duplicate, encoded and empty parameters)', () => {
    // The body `c2&a3=2+q` is form-encoded, so its parameters are signed; realm and oauth_signature are not.
    const params: [string, string][] = [
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ...new URLSearchParams('c2&a3=2+q'),
    ];
    const baseString = oauth1BaseString('post', 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', params);
    expect(baseString).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D' +
        '%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1' +
        '%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('normalises the base string URI as RFC 5849 section 3.4.1.2 shows', () => {
    expect(oauth1BaseString('GET', 'HTTP://EXAMPLE.COM:80/r%20v/X?id=123#frag', [])).toBe(
      'GET&http%3A%2F%2Fexample.com%2Fr%2520v%2FX&id%3D123',
    );
    expect(oauth1BaseString('GET', 'https://www.example.net:8080/?q=1', [])).toBe(
      'GET&https%3A%2F%2Fwww.example.net%3A8080%2F&q%3D1',
    );
    expect(oauth1BaseString('GET', 'https://example.net:443/', [])).toBe('GET&https%3A%2F%2Fexample.net%2F&');
  });
});

describe('oauth1Signature', () => {
  it('reproduces the RFC 5849 section 1.2 photos request (no oauth_version)', () => {
    const baseString = oauth1BaseString('GET', 'http://photos.example.net/photos?file=vacation.jpg&size=original', [
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131202'],
      ['oauth_nonce', 'chapoH'],
    ]);
    expect(oauth1Signature(baseString, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00')).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  it('signs with HMAC-SHA256: the RFC 5849 section 3.4.1 request as Faithlife.OAuth publishes it (ypAx…3BU=)', () => {
    const baseString = oauth1BaseString('POST', 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', [
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA256'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ...new URLSearchParams('c2&a3=2+q'),
    ]);
    expect(oauth1Signature(baseString, 'j49sk3j29djd', 'dh893hdasih9', 'HMAC-SHA256')).toBe(
      'ypAxjNip++Dm0fTM+gCl8wAo6ufSnseu1WHxL7py3BU=',
    );
  });
});

describe('oauth1AuthorizationHeader', () => {
  it('reproduces the OAuth Core 1.0 appendix A.5 example (tR3+Ty81lMeYAr/Fid0kMTYa/WM=)', () => {
    const header = oauth1AuthorizationHeader({
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      consumerKey: 'dpf43f3p2l4k3l03',
      consumerSecret: 'kd94hf93k423kf44',
      token: 'nnch734d00sl2jdk',
      tokenSecret: 'pfkkdhi9sl3r4s00',
      nonce: 'kllo9940pd9333jh',
      timestamp: 1191242096,
    });
    expect(parseOAuthHeader(header)).toEqual({
      oauth_consumer_key: 'dpf43f3p2l4k3l03',
      oauth_nonce: 'kllo9940pd9333jh',
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '1191242096',
      oauth_token: 'nnch734d00sl2jdk',
      oauth_version: '1.0',
      oauth_signature: 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=',
    });
    expect(header).toContain('oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"');
  });

  it('reproduces the Twitter "Creating a signature" example, form body included', () => {
    const header = oauth1AuthorizationHeader({
      method: 'POST',
      url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
      bodyParams: new URLSearchParams({ status: 'Hello Ladies + Gentlemen, a signed OAuth request!' }),
      consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
      consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
      token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
      tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
      timestamp: '1318622958',
    });
    expect(parseOAuthHeader(header).oauth_signature).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });

  it('signs with HMAC-SHA256 and puts the realm first, outside the signature (NetSuite token-based auth)', () => {
    const input = {
      method: 'GET',
      url: 'https://123456-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?limit=5',
      consumerKey: 'ck',
      consumerSecret: 'cs',
      token: 'token-id',
      tokenSecret: 'token-secret',
      nonce: 'n0nce',
      timestamp: 1700000000,
      signatureMethod: 'HMAC-SHA256' as const,
    };
    const withRealm = oauth1AuthorizationHeader({ ...input, realm: '123456_SB1' });
    expect(withRealm.startsWith('OAuth realm="123456_SB1", oauth_consumer_key="ck", ')).toBe(true);
    const fields = parseOAuthHeader(withRealm);
    expect(fields.oauth_signature_method).toBe('HMAC-SHA256');
    // The same signature as without a realm, and the one the base string of the other fields gives.
    expect(fields.oauth_signature).toBe(parseOAuthHeader(oauth1AuthorizationHeader(input)).oauth_signature);
    const signed = Object.entries(fields).filter(([name]) => name !== 'oauth_signature' && name !== 'realm');
    const baseString = oauth1BaseString('GET', input.url, signed);
    expect(fields.oauth_signature).toBe(oauth1Signature(baseString, 'cs', 'token-secret', 'HMAC-SHA256'));
    expect(fields.oauth_signature).toMatch(/^[A-Za-z0-9+/]{43}=$/); // 32 bytes: SHA-256, not SHA-1
  });

  it('picks a fresh nonce and the current time when none is given', () => {
    const input = {
      method: 'GET',
      url: 'https://a.test/',
      consumerKey: 'k',
      consumerSecret: 's',
      token: 't',
      tokenSecret: 'ts',
    };
    const first = parseOAuthHeader(oauth1AuthorizationHeader(input));
    const second = parseOAuthHeader(oauth1AuthorizationHeader(input));
    expect(first.oauth_nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(first.oauth_nonce).not.toBe(second.oauth_nonce);
    expect(Math.abs(Number(first.oauth_timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });
});
