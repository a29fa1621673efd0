import type { NangoError } from '@nangohq/node-client';
import type { Provider } from '../../src/providers/Provider';
import { waitFor, type Harness } from '../helpers/harness';
import { awsSigV4Headers } from '../../src/signing/awsSigV4';
import { AwsMock } from './awsMock';
import { ITEMS_SYNC_YAML, startModeHarness, type ModeHarness } from './modeHarness';

const SECRET = 'aws-test-secret-key';
const PLATFORM = { accessKeyId: 'AKIAPLATFORM00000001', secret: 'platform/secret+access-key' };
const ROLE = 'arn:aws:iam::123456789012:role/NangoAccess';
const GUARDED = 'arn:aws:iam::123456789012:role/WithExternalId';
const REVOKED = 'arn:aws:iam::123456789012:role/TrustRemovedLater';

/** A Connection as GET /connection/:id answers it, as far as these tests read it. */
interface ConnectionReply {
  credentials: Record<string, unknown>;
  connection_config: Record<string, unknown>;
}

/**
 * AWS SigV4 end to end: Connections made from a role ARN through POST /auth/aws-sigv4 and RabbitMQ, the role assumed
 * at a local STS that checks the platform's signature, the trust and the ExternalId, then an action, a proxy call and
 * a sync signed with the temporary keys at a local AWS API that checks every signature with the AWS SDK's signer; the
 * keys fetched again before they expire; bad input refused with nothing stored.
 */
describe('AWS_SIGV4 (STS AssumeRole, SigV4 on every request)', () => {
  let aws: AwsMock;
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let withKey: ModeHarness['withKey'];

  beforeAll(async () => {
    aws = await new AwsMock({ service: 'execute-api', region: 'eu-west-1' }).start((request) =>
      request.url.startsWith('/items')
        ? { items: [{ id: 'i-1', name: 'bucket report' }] }
        : { path: request.url, body: request.body },
    );
    aws.addPrincipal(PLATFORM.accessKeyId, PLATFORM.secret);
    aws.roles.set(ROLE, { trusts: PLATFORM.accessKeyId });
    aws.roles.set(GUARDED, { trusts: PLATFORM.accessKeyId, externalId: 'ext-4242' });
    aws.roles.set(REVOKED, { trusts: PLATFORM.accessKeyId });
    process.env['PLATFORM_AWS_SECRET'] = PLATFORM.secret; // integrations.yaml reads it, as a deployment would
    mode = await startModeHarness({
      yaml: `
integrations:
  aws:
    provider: aws-local
    aws_sigv4:
      service: execute-api
      default_region: eu-west-1
      access_key_id: ${PLATFORM.accessKeyId}
      secret_access_key: \${PLATFORM_AWS_SECRET}
      sts_endpoint: ${aws.sts.url}/
${ITEMS_SYNC_YAML}`,
      withScripts: ['aws'],
      secretKey: SECRET,
      provider: {
        name: 'aws-local',
        display_name: 'AWS (local)',
        auth_mode: 'AWS_SIGV4',
        proxy: { base_url: aws.api.url },
      } as Provider,
    });
    ({ harness: h, url, withKey } = mode);
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await aws?.stop();
    delete process.env['PLATFORM_AWS_SECRET'];
  });

  const connect = (query: string, body: unknown) =>
    fetch(`${url}/auth/aws-sigv4/aws?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const connection = async (id: string) => {
    const reply = await fetch(`${url}/connection/${id}?provider_config_key=aws`, { headers: withKey });
    return { status: reply.status, body: (await reply.json()) as ConnectionReply };
  };

  it("assumes the role when the Connection is made, and keeps the temporary keys in Nango's shape", async () => {
    const reply = await connect('connection_id=ann', { role_arn: ROLE, region: 'eu-west-1' });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'aws' });
    expect(aws.issued).toBe(1);
    expect(aws.sts.refusals).toEqual([]);
    const { body } = await connection('ann');
    expect(body.credentials).toMatchObject({
      type: 'AWS_SIGV4',
      role_arn: ROLE,
      region: 'eu-west-1',
      service: 'execute-api',
      access_key_id: expect.stringMatching(/^ASIA/),
      secret_access_key: expect.any(String),
      session_token: expect.any(String),
      expires_at: expect.any(String),
    });
    expect(body.connection_config).toEqual({ region: 'eu-west-1', service: 'execute-api' });
    const form = new URLSearchParams(aws.sts.requests[0]?.body);
    expect(Object.fromEntries(form)).toEqual({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: ROLE,
      RoleSessionName: 'nango-ann',
      DurationSeconds: '3600',
    });
    const auth = await fetch(`${url}/connections/ann/auth?provider_config_key=aws`, { headers: withKey });
    // The role can be assumed again at any time: the server fetches new keys by itself.
    expect(await auth.json()).toMatchObject({ auth_mode: 'AWS_SIGV4', refreshable: true, expires_at: expect.any(String) });
  });

  it('signs an action httpRequest (query and JSON body) with the temporary keys', async () => {
    const get = await h.nango.triggerAction('aws', 'call', 'ann', {
      endpoint: '/prod/reports',
      params: { month: '2024-01', q: 'a b' },
    });
    expect(get.returnValue).toMatchObject({ ok: true, status: 200, body: { path: '/prod/reports?month=2024-01&q=a+b' } });
    const post = await h.nango.triggerAction('aws', 'call', 'ann', { endpoint: '/prod/reports', method: 'POST', body: { n: 1 } });
    expect(post.returnValue).toMatchObject({ ok: true, status: 200, body: { body: '{"n":1}' } });
    expect(aws.api.requests.at(-1)?.headers['x-amz-security-token']).toEqual(expect.any(String));
    expect(aws.api.refusals).toEqual([]);
  });

  it('signs a proxy call', async () => {
    const reply = await fetch(`${url}/proxy/prod/reports/7?fields=name`, {
      method: 'PUT',
      headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'aws', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'renamed' }),
    });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ path: '/prod/reports/7?fields=name', body: '{"name":"renamed"}' });
    expect(aws.api.refusals).toEqual([]);
  });

  it('runs the sync of a new Connection with the same signing', async () => {
    const records = async () => {
      const reply = await fetch(`${url}/records?model=Item`, {
        headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'aws' },
      });
      return ((await reply.json()) as { records: { id: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
    expect((await records())[0]).toMatchObject({ id: 'i-1', name: 'bucket report' });
    expect(aws.api.refusals).toEqual([]);
  }, 30_000);

  it('fetches new keys from STS before the old ones expire, and signs with them', async () => {
    // Keys that expire in 901 s are due within the refresh margin (900 s) a second after they are issued.
    aws.expiresInS = 901;
    await h.nango.registerConnection('aws', 'bob', { role_arn: ROLE }, { region: 'eu-west-1', service: 'execute-api' });
    const first = (await connection('bob')).body.credentials;
    aws.expiresInS = 3600;
    const issued = aws.issued;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = await h.nango.triggerAction('aws', 'call', 'bob', { endpoint: '/prod/reports' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    expect(aws.issued).toBe(issued + 1);
    const second = (await connection('bob')).body.credentials;
    expect(second['access_key_id']).not.toBe(first['access_key_id']);
    expect(Date.parse(String(second['expires_at']))).toBeGreaterThan(Date.parse(String(first['expires_at'])) + 2_000_000);
    // The old keys were still good when they were replaced; the request went out with the new ones.
    expect(Date.parse(String(first['expires_at']))).toBeGreaterThan(Date.now());
    expect(String(aws.api.requests.at(-1)?.headers.authorization)).toContain(`Credential=${String(second['access_key_id'])}/`);
    expect(aws.api.refusals).toEqual([]);
  }, 30_000);

  it('marks the Connection as needing its customer when the role stops trusting the platform (STS AccessDenied)', async () => {
    aws.expiresInS = 901;
    await h.nango.registerConnection(
      'aws',
      'gus',
      { role_arn: REVOKED, region: 'eu-west-1' },
      { service: 'execute-api', region: 'eu-west-1' },
    );
    aws.expiresInS = 3600;
    aws.roles.set(REVOKED, { trusts: 'someone-else' }); // the customer removed the platform from the trust policy
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const error = (await h.nango
      .triggerAction('aws', 'call', 'gus', { endpoint: '/prod/reports' })
      .catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('connection_needs_reauthorization');
    expect(error.errorMsg).toContain('AccessDenied');
    const auth = await fetch(`${url}/connections/gus/auth?provider_config_key=aws`, { headers: withKey });
    expect(JSON.stringify(await auth.json())).toContain('needs_reauthorization');
  }, 30_000);

  it('sends the ExternalId the Connection was given, which a guarded role requires', async () => {
    const without = await connect('connection_id=carol', { role_arn: GUARDED });
    expect(without.status).toBe(400);
    const refused = (await without.json()) as { error: { code: string; message: string } };
    expect(refused.error.code).toBe('invalid_credentials');
    expect(refused.error.message).toContain('HTTP 403 AccessDenied');
    expect((await connection('carol')).status).toBe(404);
    const reply = await connect('connection_id=carol&params%5Bexternal_id%5D=ext-4242', { role_arn: GUARDED });
    expect(reply.status).toBe(200);
    expect((await connection('carol')).body.credentials['external_id']).toBe('ext-4242');
  });

  it('imports a Connection with POST /connections { type: AWS_SIGV4, role_arn, region }, assuming the role at once', async () => {
    const issued = aws.issued;
    const imported = await fetch(`${url}/connections`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'aws',
        connection_id: 'erin',
        credentials: { type: 'AWS_SIGV4', role_arn: ROLE, region: 'eu-west-1' },
        connection_config: { region: 'eu-west-1', service: 'execute-api' },
      }),
    });
    expect(imported.status).toBe(201);
    expect(aws.issued).toBe(issued + 1);
    const result = await h.nango.triggerAction('aws', 'call', 'erin', { endpoint: '/prod/reports' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    expect(aws.api.refusals).toEqual([]);
  });

  it('has a local AWS that refuses what real AWS would: a wrong secret, a request changed after signing, another scope', async () => {
    const keys = (await connection('ann')).body.credentials;
    const credentials = {
      accessKeyId: String(keys['access_key_id']),
      secretAccessKey: String(keys['secret_access_key']),
      sessionToken: String(keys['session_token']),
    };
    const target = new URL(`${aws.api.url}/prod/reports?month=1`);
    const send = (headers: Record<string, string>, path = target.pathname + target.search) =>
      fetch(new URL(path, aws.api.url), { headers }).then((reply) => reply.status);
    const sign = (over: Partial<Parameters<typeof awsSigV4Headers>[0]> = {}) =>
      awsSigV4Headers({
        method: 'GET',
        url: target,
        headers: {},
        body: undefined,
        service: 'execute-api',
        region: 'eu-west-1',
        credentials,
        ...over,
      });
    const before = aws.api.refusals.length;
    expect(await send(sign())).toBe(200);
    expect(await send(sign({ credentials: { ...credentials, secretAccessKey: 'wrong' } }))).toBe(403);
    expect(await send(sign(), '/prod/reports?month=2')).toBe(403);
    expect(await send(sign({ region: 'us-east-1' }))).toBe(403);
    expect(await send({ ...sign(), 'x-amz-security-token': 'another' })).toBe(403);
    expect(aws.api.refusals.slice(before)).toEqual([
      'SignatureDoesNotMatch',
      'SignatureDoesNotMatch',
      'signed for execute-api in us-east-1, not execute-api in eu-west-1',
      'InvalidToken',
    ]);
    aws.api.refusals.length = before;
  });

  it('refuses a role ARN that is not an ARN, and a missing one, clearly and before calling STS', async () => {
    const before = aws.sts.requests.length;
    const bad = await connect('connection_id=dave', { role_arn: 'NangoAccess', region: 'eu-west-1' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: unknown }).error).toEqual({
      code: 'invalid_credentials',
      message:
        'Credentials for aws (AWS_SIGV4): role_arn must be an IAM role ARN: arn:aws:iam::<12-digit account id>:role/<role name>',
    });
    const missing = await connect('connection_id=dave', { region: 'eu-west-1' });
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'role_arn (a non-empty string) is required',
    );
    const region = await connect('connection_id=dave', { role_arn: ROLE, region: 'Europe' });
    expect(((await region.json()) as { error: { message: string } }).error.message).toContain(
      'region must be an AWS region name',
    );
    expect(aws.sts.requests.length).toBe(before);
    expect((await connection('dave')).status).toBe(404);
    expect(h.rawLogs.join('\n')).not.toContain(PLATFORM.secret);
  });
});
