/**
 * AWS Signature Version 4 for one request, by `aws4` (MIT, no dependencies, 40 kB): the canonical request, string to
 * sign and signing key are its, never written here. Chosen over AWS's own `@smithy/signature-v4` because that signer is
 * asynchronous (its hashes are) while an auth mode signs each request hop synchronously, and because it pulls in some
 * 8 MB of @smithy packages; the tests check every signature this makes with @smithy's signer.
 */
import aws4 from 'aws4';

/** The AWS credentials a request is signed with: long-lived keys, or temporary ones with their session token. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** One request to sign. */
export interface AwsSignInput {
  readonly method: string;
  readonly url: URL;
  /** The request's headers as they will be sent: every one is signed but for those HTTP clients add or change. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as it is sent; its SHA-256 is signed (S3 excepted, see below). */
  readonly body: string | Uint8Array | undefined;
  /** The signing scope: service (`s3`, `sts`, `execute-api`, …) and region (`us-east-1`, …). */
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
}

/**
 * Headers the client sets itself (the host from the URL, the length from the body): their values are not ours to
 * sign, and a proxy body that is streamed has no length yet when the request is signed.
 */
const UNSIGNED = { 'content-length': true } as const;

/**
 * The headers that sign `input`: `Authorization`, `X-Amz-Date`, `X-Amz-Security-Token` with temporary credentials,
 * `X-Amz-Content-Sha256` for S3 (`UNSIGNED-PAYLOAD`, which S3 takes over HTTPS, so that a streamed upload is signed
 * without reading it first), and a `Content-Type` when a body has none. The caller sets them on the request.
 */
export function awsSigV4Headers(input: AwsSignInput): Record<string, string> {
  const headers: Record<string, string> = { ...input.headers };
  if (input.service === 's3' && !hasHeader(headers, 'x-amz-content-sha256')) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const body = input.body === undefined || input.body.length === 0 ? undefined : Buffer.from(input.body);
  const signed = aws4.sign(
    {
      method: input.method,
      host: input.url.host,
      path: `${input.url.pathname}${input.url.search}`,
      headers,
      ...(body !== undefined && { body }),
      service: input.service,
      region: input.region,
      extraHeadersToIgnore: UNSIGNED,
    } as aws4.Request,
    {
      accessKeyId: input.credentials.accessKeyId,
      secretAccessKey: input.credentials.secretAccessKey,
      ...(input.credentials.sessionToken !== undefined && { sessionToken: input.credentials.sessionToken }),
    },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || value === undefined) continue;
    if (input.headers[lower] === String(value)) continue; // already on the request as it is
    out[lower] = String(value);
  }
  return out;
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
