import { awsSigV4Headers } from '../../src/signing/awsSigV4';

/** The credentials of AWS's SigV4 test suite (aws-sig-v4-test-suite), published with its expected signatures. */
const SUITE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('awsSigV4Headers', () => {
  it("reproduces AWS's test suite get-vanilla (5fa00fa3…)", () => {
    const headers = awsSigV4Headers({
      method: 'GET',
      url: new URL('https://example.amazonaws.com/'),
      headers: { 'x-amz-date': '20150830T123600Z' },
      body: undefined,
      service: 'service',
      region: 'us-east-1',
      credentials: SUITE,
    });
    expect(headers).toEqual({
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
  });

  it('adds the date, the session token, a body content type, and UNSIGNED-PAYLOAD for S3; never host or length', () => {
    const headers = awsSigV4Headers({
      method: 'PUT',
      url: new URL('http://127.0.0.1:9000/bucket/key'),
      headers: { accept: 'application/json' },
      body: 'hello',
      service: 's3',
      region: 'eu-west-1',
      credentials: { ...SUITE, sessionToken: 'session-token' },
    });
    expect(Object.keys(headers).sort()).toEqual([
      'authorization',
      'content-type',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-security-token',
    ]);
    expect(headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });
});
