import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** One request as the mocks received it. */
export interface AwsRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A key pair the mocks know, and what it may do. */
interface KnownKey {
  secret: string;
  /** Temporary keys: the session token that must come with them, and when they stop working (epoch ms). */
  sessionToken?: string;
  expiresAt?: number;
  /** The role temporary keys were issued for. */
  roleArn?: string;
}

/** A role a customer made: whom it trusts to assume it, with which ExternalId (undefined: none is asked). */
export interface MockRole {
  trusts: string;
  externalId?: string;
}

/**
 * Why AWS would refuse this request's SigV4 signature, or undefined when it would accept it. Recomputed with
 * @smithy/signature-v4 (the AWS SDK's own signer), not with the server's (aws4): the scope, the signed headers and the
 * date are read from the request, the secret looked up by the access key, and the Signature compared.
 */
export async function sigV4Refusal(
  request: AwsRequest,
  keys: ReadonlyMap<string, KnownKey>,
  scope: { service: string; region: string },
  now = Date.now(),
): Promise<string | undefined> {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      String(request.headers.authorization ?? ''),
    );
  if (!match) return 'no SigV4 Authorization header';
  const [, accessKeyId = '', , region, service, signedHeaders = '', signature] = match;
  if (service !== scope.service || region !== scope.region)
    return `signed for ${service} in ${region}, not ${scope.service} in ${scope.region}`;
  const key = keys.get(accessKeyId);
  if (!key) return 'InvalidClientTokenId';
  if (key.sessionToken !== undefined && request.headers['x-amz-security-token'] !== key.sessionToken) return 'InvalidToken';
  if (key.expiresAt !== undefined && key.expiresAt <= now) return 'ExpiredToken';
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(request.headers['x-amz-date'] ?? ''));
  if (!date) return 'no X-Amz-Date';
  const [, y, mo, d, h, mi, s] = date.map(Number) as number[];
  const signingDate = new Date(Date.UTC(y!, mo! - 1, d, h, mi, s));
  if (Math.abs(now - signingDate.getTime()) > 15 * 60_000) return 'RequestTimeTooSkewed';
  const url = new URL(request.url, 'http://mock');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = String(request.headers[name] ?? '');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    credentials: { accessKeyId, secretAccessKey: key.secret, ...(key.sessionToken && { sessionToken: key.sessionToken }) },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
    uriEscapePath: scope.service !== 's3',
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers['host'] ?? '',
      path: url.pathname,
      query,
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(signedHeaders.split(';')) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization'] ?? ''))?.[1];
  return expected === signature ? undefined : 'SignatureDoesNotMatch';
}

/** A running mock: its URL, what it received and refused, and how to stop it. */
export interface MockServer {
  url: string;
  requests: AwsRequest[];
  refusals: string[];
  close(): Promise<void>;
}

/**
 * A local STS (AssumeRole only) and a local AWS API (any service) sharing their keys: the STS takes requests signed
 * with the platform's keys, checks the role's trust and ExternalId as IAM would, and issues temporary keys that the
 * API then takes, until they expire. Every signature is checked by sigV4Refusal.
 */
export class AwsMock {
  readonly keys = new Map<string, KnownKey>();
  readonly roles = new Map<string, MockRole>();
  /** Seconds each issued key pair lasts. Tests shorten it to see keys fetched again. */
  expiresInS = 3600;
  /** How many AssumeRole calls STS answered with keys. */
  issued = 0;
  sts!: MockServer;
  api!: MockServer;

  constructor(readonly scope: { service: string; region: string }) {}

  /** The platform's long-lived keys, which roles trust by their name. */
  addPrincipal(accessKeyId: string, secret: string): void {
    this.keys.set(accessKeyId, { secret });
  }

  async start(answer: (request: AwsRequest) => unknown): Promise<this> {
    this.sts = await serve(async (request, refusals) => this.assumeRole(request, refusals));
    this.api = await serve(async (request, refusals) => {
      const refusal = await sigV4Refusal(request, this.keys, this.scope);
      if (refusal) {
        refusals.push(refusal);
        return { status: 403, type: 'application/json', body: JSON.stringify({ message: refusal }) };
      }
      return { status: 200, type: 'application/json', body: JSON.stringify(answer(request)) };
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.sts?.close();
    await this.api?.close();
  }

  private async assumeRole(request: AwsRequest, refusals: string[]): Promise<Reply> {
    const refusal = await sigV4Refusal(request, this.keys, { service: 'sts', region: this.scope.region });
    const fail = (status: number, code: string, message: string): Reply => {
      refusals.push(code);
      return { status, type: 'text/xml', body: errorXml(code, message) };
    };
    if (refusal) return fail(403, refusal, `The request signature we calculated does not match (${refusal})`);
    const form = new URLSearchParams(request.body);
    const roleArn = form.get('RoleArn') ?? '';
    if (form.get('Action') !== 'AssumeRole' || form.get('Version') !== '2011-06-15')
      return fail(400, 'InvalidAction', 'Could not find operation');
    if (!/^arn:aws:iam::\d{12}:role\/.+$/.test(roleArn)) return fail(400, 'ValidationError', `${roleArn} is invalid`);
    const principal = /Credential=([^/]+)\//.exec(String(request.headers.authorization))?.[1];
    const role = this.roles.get(roleArn);
    const session = form.get('RoleSessionName') ?? '';
    if (
      !role ||
      role.trusts !== principal ||
      role.externalId !== (form.get('ExternalId') ?? undefined) ||
      !/^[\w+=,.@-]{2,64}$/.test(session)
    ) {
      return fail(
        403,
        'AccessDenied',
        `User: arn:aws:iam::111111111111:user/platform is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secret = randomBytes(20).toString('base64');
    const sessionToken = randomBytes(48).toString('base64');
    const expiresAt = Date.now() + this.expiresInS * 1000;
    this.keys.set(accessKeyId, { secret, sessionToken, expiresAt, roleArn });
    this.issued++;
    return {
      status: 200,
      type: 'text/xml',
      body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:${session}</AssumedRoleId><Arn>${roleArn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/${session}</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
      <SecretAccessKey>${secret}</SecretAccessKey>
      <SessionToken>${sessionToken}</SessionToken>
      <Expiration>${new Date(expiresAt).toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`,
    };
  }
}

interface Reply {
  status: number;
  type: string;
  body: string;
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`;
}

async function serve(handle: (request: AwsRequest, refusals: string[]) => Promise<Reply>): Promise<MockServer> {
  const requests: AwsRequest[] = [];
  const refusals: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(request);
      void handle(request, refusals).then(
        (reply) => res.writeHead(reply.status, { 'content-type': reply.type }).end(reply.body),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
