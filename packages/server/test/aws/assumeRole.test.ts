import { readAssumeRoleResponse } from '../../src/aws/assumeRole';
import { TokenEndpointError } from '../../src/oauth/requestToken';

/** STS's documented AssumeRole answer (API_AssumeRole.html, "Example"), keys shortened. */
const ANSWER = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>1234567890</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;

const failure = (code: string, message: string) =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`;

function thrown(run: () => unknown): TokenEndpointError {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenEndpointError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('readAssumeRoleResponse', () => {
  it('reads the temporary credentials, keeping a secret of digits a string', () => {
    expect(readAssumeRoleResponse(200, ANSWER, [])).toEqual({
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      secretAccessKey: '1234567890',
      sessionToken: 'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW',
      expiration: '2019-11-09T13:34:41.000Z',
    });
  });

  it('classifies refusals: the role refusing us needs its owner, throttling is retried, the rest is refused', () => {
    const denied = thrown(() => readAssumeRoleResponse(403, failure('AccessDenied', 'not authorized'), []));
    expect([denied.kind, denied.message]).toEqual(['rejected', 'HTTP 403 AccessDenied: not authorized']);
    expect(thrown(() => readAssumeRoleResponse(400, failure('Throttling', 'Rate exceeded'), [])).kind).toBe('transient');
    expect(thrown(() => readAssumeRoleResponse(503, 'down', [])).kind).toBe('transient');
    const invalid = thrown(() => readAssumeRoleResponse(400, failure('ValidationError', 'bad arn'), []));
    expect([invalid.kind, invalid.message]).toEqual(['refused', 'HTTP 400 ValidationError: bad arn']);
    const keys = thrown(() =>
      readAssumeRoleResponse(403, failure('InvalidClientTokenId', 'key AKIAPLATFORM00000001 is unknown'), [
        'AKIAPLATFORM00000001',
      ]),
    );
    expect([keys.kind, keys.message]).toEqual(['refused', 'HTTP 403 InvalidClientTokenId: key [redacted] is unknown']);
    expect(thrown(() => readAssumeRoleResponse(200, '<html>hello</html>', [])).message).toBe(
      'HTTP 200 without Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration)',
    );
  });
});
