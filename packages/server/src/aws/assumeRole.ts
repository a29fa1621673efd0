import { XMLParser } from 'fast-xml-parser';
import { describeFetchError, isTransientStatus, TokenEndpointError } from '../oauth/requestToken';
import { scrubSecrets } from '../oauth/scrubSecrets';
import { awsSigV4Headers, type AwsCredentials } from '../signing/awsSigV4';
import { inHttpClientSpan } from '../tracing/inHttpClientSpan';

/** One STS AssumeRole call (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). */
export interface AssumeRoleRequest {
  /** Where to send it: STS's regional endpoint, or a stand-in (a local mock). */
  readonly endpoint: string;
  /** The signing region (STS signs for its region even on another endpoint). */
  readonly region: string;
  /** The principal allowed to assume the role: the platform's own long-lived keys. */
  readonly credentials: AwsCredentials;
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly externalId: string | undefined;
  readonly durationSeconds: number;
  readonly timeoutMs: number;
}

/** The temporary credentials AssumeRole gives. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601. */
  readonly expiration: string;
}

/** STS error codes that mean the role refuses us (its trust policy, the external id): only its owner can fix that. */
const ROLE_REFUSED = new Set(['AccessDenied']);
/** STS error codes worth another try. */
const TRANSIENT = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'ServiceUnavailable', 'InternalFailure']);

// Every value a string: a secret key of digits only must not come back as a number.
const parser = new XMLParser({ parseTagValue: false, parseAttributeValue: false, ignoreAttributes: true });

/**
 * Calls AssumeRole, signed with SigV4 (service `sts`), and reads the temporary credentials from STS's XML answer.
 * @throws TokenEndpointError `rejected` (AccessDenied: the role does not trust the platform's principal, or wants
 *   another external id), `transient` (no answer in time, 5xx, throttling), `refused` (anything else: a malformed
 *   ARN, the platform's own keys refused, an answer without credentials); its message quotes STS's code and message,
 *   scrubbed of the keys
 */
export async function assumeRole(request: AssumeRoleRequest): Promise<TemporaryCredentials> {
  const form = new URLSearchParams({
    Action: 'AssumeRole',
    Version: '2011-06-15',
    RoleArn: request.roleArn,
    RoleSessionName: request.roleSessionName,
    DurationSeconds: String(request.durationSeconds),
    ...(request.externalId !== undefined && { ExternalId: request.externalId }),
  });
  const body = form.toString();
  const url = new URL(request.endpoint);
  const base = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' };
  const signed = awsSigV4Headers({
    method: 'POST',
    url,
    headers: base,
    body,
    service: 'sts',
    region: request.region,
    credentials: request.credentials,
  });
  let status: number;
  let text: string;
  try {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const send = () => fetch(url, { method: 'POST', headers: { ...base, ...signed }, body, signal });
    const response = await inHttpClientSpan('POST', url.href, send, { 'nango.token_request': 'aws_assume_role' });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new TokenEndpointError('transient', describeFetchError(error, request.timeoutMs), { cause: error });
  }
  return readAssumeRoleResponse(status, text, [request.credentials.secretAccessKey, request.credentials.accessKeyId]);
}

/**
 * The temporary credentials of STS's answer, or the failure it describes, with every echo of `secrets` scrubbed.
 * @throws TokenEndpointError
 */
export function readAssumeRoleResponse(status: number, body: string, secrets: readonly string[]): TemporaryCredentials {
  const document = parseXml(body);
  if (status >= 200 && status < 300) {
    const credentials = dig(document, 'AssumeRoleResponse', 'AssumeRoleResult', 'Credentials');
    const fields = ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'].map((name) => dig(credentials, name));
    const [accessKeyId, secretAccessKey, sessionToken, expiration] = fields;
    const expires = typeof expiration === 'string' ? Date.parse(expiration) : NaN;
    if (fields.some((field) => typeof field !== 'string' || field === '') || Number.isNaN(expires)) {
      throw new TokenEndpointError(
        'refused',
        `HTTP ${status} without Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration)`,
      );
    }
    return {
      accessKeyId: accessKeyId as string,
      secretAccessKey: secretAccessKey as string,
      sessionToken: sessionToken as string,
      expiration: new Date(expires).toISOString(),
    };
  }
  const error = dig(document, 'ErrorResponse', 'Error');
  const code = nonEmpty(dig(error, 'Code'));
  const reason = scrubSecrets([code, nonEmpty(dig(error, 'Message'))].filter(Boolean).join(': '), secrets)
    .slice(0, 300)
    .replaceAll('\u0000', '\\u0000');
  const message = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
  if (isTransientStatus(status) || (code !== undefined && TRANSIENT.has(code)))
    throw new TokenEndpointError('transient', message);
  if (status === 403 && code !== undefined && ROLE_REFUSED.has(code)) throw new TokenEndpointError('rejected', message);
  throw new TokenEndpointError('refused', message);
}

function parseXml(text: string): unknown {
  try {
    return parser.parse(text) as unknown;
  } catch {
    return undefined; // not XML: read as an answer without what is looked for
  }
}

/** The value at `path` in parsed XML, undefined when any step is missing. */
function dig(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
